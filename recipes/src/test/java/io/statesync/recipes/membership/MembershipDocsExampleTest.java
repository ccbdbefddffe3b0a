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
package io.statesync.recipes.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The example of {@code docs/membership.md}, compiled and run. */
@Timeout(60)
class MembershipDocsExampleTest {
    private static final Logger log = LoggerFactory.getLogger(MembershipDocsExampleTest.class);

    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    // --- docs/membership.md example begins
    /** What each worker tells the others about itself. */
    record Worker(String address, int capacity) {}

    static GroupMembership<Worker> joinWorkers(Coordinator coordinator, String id, Worker self) {
        GroupMembership<Worker> group = GroupMembership.builder(
                        coordinator, "/groups/workers", Codec.json(Worker.class))
                .memberId(id)
                .metadata(self)
                .build();
        group.addListener(change -> {
            switch (change.kind()) {
                case CREATED ->
                    log.info("joined: {}", change.current().orElseThrow().value());
                case DELETED ->
                    log.info("left: {}", change.previous().orElseThrow().value());
                default -> {}
            }
        });
        group.start();
        return group;
    }

    static Map<String, Integer> capacities(GroupMembership<Worker> group) {
        return group.members().values().stream()
                .map(v -> v.value())
                .collect(Collectors.toMap(Member::id, m -> m.metadata().capacity()));
    }
    // --- docs/membership.md example ends

    @Test
    @SuppressWarnings("try") // closes one member early on purpose
    void theExampleSeesEveryWorker() throws Exception {
        try (Coordinator c1 = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build();
                Coordinator c2 = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build()) {
            c1.start();
            c2.start();
            try (GroupMembership<Worker> one = joinWorkers(c1, "w1", new Worker("10.0.0.1:9000", 4));
                    GroupMembership<Worker> two = joinWorkers(c2, "w2", new Worker("10.0.0.2:9000", 8))) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> capacities(one).size() == 2);
                assertThat(capacities(one)).isEqualTo(Map.of("w1", 4, "w2", 8));
                two.close();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> capacities(one).equals(Map.of("w1", 4)));
            }
        }
    }
}
