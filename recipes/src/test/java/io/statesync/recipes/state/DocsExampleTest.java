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
package io.statesync.recipes.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateListener;
import io.statesync.core.Versioned;
import io.statesync.recipes.watch.StateTree;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example of {@code docs/state.md}, compiled and run: keep the two in step. */
@Timeout(60)
class DocsExampleTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    @Test
    void example() throws Exception {
        AtomicLong appliedLimit = new AtomicLong();
        Map<String, String> appliedFlags = new ConcurrentHashMap<>();

        // --- docs/state.md example starts here
        try (Coordinator coordinator = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build();
                SharedState<Long> limit = SharedState.builder(coordinator, "/config/rate-limit", Codec.longs(), 100L)
                        .build();
                StateTree<String> flags = StateTree.builder(coordinator, "/config/flags", Codec.utf8())
                        .build()) {
            coordinator.start();
            coordinator.awaitConnected(Duration.ofSeconds(10));

            // Every node applies the limit, in order, never an older one after a newer one.
            limit.addListener(change -> change.current().ifPresent(v -> appliedLimit.set(v.value())));
            // A listener that also wants connection events and errors implements the whole interface.
            flags.addListener(new StateListener<String>() {
                @Override
                public void onChange(io.statesync.core.StateChange<String> change) {
                    String key = change.path().substring(change.path().lastIndexOf('/') + 1);
                    if (change.kind() == ChangeKind.RESYNCED) {
                        // a connection gap: treat the value as a fresh snapshot of this key
                    }
                    change.current()
                            .ifPresentOrElse(v -> appliedFlags.put(key, v.value()), () -> appliedFlags.remove(key));
                }

                @Override
                public void onError(io.statesync.core.StateSyncException error) {
                    // e.g. a DecodingException naming the path and version; delivery goes on
                }
            });
            limit.start();
            flags.start();
            limit.awaitInitialized(Duration.ofSeconds(10));
            flags.awaitInitialized(Duration.ofSeconds(10));

            Versioned<Long> raised = limit.update(x -> x + 50); // compare-and-set loop, one round trip
            Optional<Versioned<Long>> won = limit.compareAndSet(raised, 500L); // empty if someone wrote in between
            flags.put("checkout-v2", "on");
            // --- docs/state.md example ends here

            assertThat(raised.value()).isEqualTo(150L);
            assertThat(won.map(Versioned::version)).contains(raised.version() + 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> appliedLimit.get() == 500L);
            await().atMost(Duration.ofSeconds(10)).until(() -> "on".equals(appliedFlags.get("checkout-v2")));
        }
    }
}
