/*
 * Copyright 2026 The statesync developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package io.statesync.recipes.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.state.SharedState;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's example, compiled and run: the block between the markers is the README's text. */
@Timeout(60)
class ReadmeExampleTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    /** The config document every node applies. */
    public record Config(int rateLimit, boolean maintenance) {}

    private final List<Config> applied = new CopyOnWriteArrayList<>();
    private final List<Long> billingRuns = new CopyOnWriteArrayList<>();

    private void apply(Config config) {
        applied.add(config);
    }

    private void runBilling(long epoch) {
        billingRuns.add(epoch);
    }

    @Test
    void theReadmeExampleRuns() throws Exception {
        String connectString = zk.connectString();
        // README begin
        try (Coordinator coordinator =
                Coordinator.builder(connectString).namespace("billing-service").build()) {
            coordinator.start();
            coordinator.awaitConnected(Duration.ofSeconds(10));

            try (SharedState<Config> config = SharedState.builder(
                                    coordinator, "/config", Codec.json(Config.class), new Config(100, false))
                            .build();
                    LeaderElection billing = LeaderElection.builder(coordinator, "/billing-job")
                            .scheduledTask(Duration.ofSeconds(1), leadership -> runBilling(leadership.epoch()))
                            .build()) {
                // Every node applies the config as it changes, in zxid order, never going back.
                config.addListener(change -> change.current().ifPresent(v -> apply(v.value())));
                config.start();
                // The job runs only on the leader, with the epoch as its fencing token; when the
                // leader dies, it stops there before it starts on another node.
                billing.start();

                // Any node may change the config: a compare-and-set loop, no lost update.
                config.update(c -> new Config(c.rateLimit() * 2, c.maintenance()));
                // README end
                await().atMost(Duration.ofSeconds(10)).until(() -> applied.contains(new Config(200, false)));
                await().atMost(Duration.ofSeconds(10)).until(() -> !billingRuns.isEmpty());
                assertThat(billingRuns).allMatch(epoch -> epoch > 0);
            }
        }
    }
}
