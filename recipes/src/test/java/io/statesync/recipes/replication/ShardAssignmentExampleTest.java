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
package io.statesync.recipes.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example of docs/replication.md, compiled and run: shard ownership with one authority. */
@Timeout(60)
class ShardAssignmentExampleTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    // --- docs/replication.md example begins
    /** Who owns which shard. */
    public record Assignments(Map<String, String> owners) {
        Assignments apply(Claim claim) {
            String owner = owners.get(claim.shard());
            if (owner != null && !owner.equals(claim.node())) {
                throw new IllegalStateException(claim.shard() + " is owned by " + owner);
            }
            Map<String, String> next = new TreeMap<>(owners);
            next.put(claim.shard(), claim.node());
            return new Assignments(next);
        }
    }

    /** A node asks for a shard. */
    public record Claim(String shard, String node) {}

    static ReplicatedState<Assignments, Claim> assignments(Coordinator coordinator, String node) {
        return ReplicatedState.builder(
                        coordinator,
                        "/shards",
                        Codec.json(Assignments.class),
                        Codec.json(Claim.class),
                        new Assignments(Map.of()),
                        Assignments::apply)
                .participantId(node)
                .commandTimeout(Duration.ofSeconds(30))
                .build();
    }
    // --- docs/replication.md example ends

    private Coordinator connect() throws InterruptedException {
        return TestNodes.open(zk, zk.connectString(), b -> b);
    }

    @Test
    void twoNodesClaimShardsAndOnlyOneOwnerWins() throws Exception {
        try (Coordinator c1 = connect();
                Coordinator c2 = connect();
                ReplicatedState<Assignments, Claim> n1 = assignments(c1, "node-1");
                ReplicatedState<Assignments, Claim> n2 = assignments(c2, "node-2")) {
            n1.addListener(change -> change.current()
                    .ifPresent(v -> System.out.println(
                            "node-1 sees " + v.value().owners() + " at version " + change.position())));
            n1.start();
            n2.start();

            Applied<Assignments> mine =
                    n1.submit(new Claim("shard-7", "node-1")).get(10, TimeUnit.SECONDS);
            assertThat(mine.state().value().owners()).containsEntry("shard-7", "node-1");

            // node-2 wants the same shard: the function refuses, only this future fails.
            assertThatThrownBy(() -> n2.submit(new Claim("shard-7", "node-2")).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(CommandRejectedException.class)
                    .hasMessageContaining("owned by node-1");

            n2.submit(new Claim("shard-8", "node-2")).get(10, TimeUnit.SECONDS);
            assertThat(n1.awaitVersion(3, Duration.ofSeconds(10))).isTrue();
            assertThat(n1.current().value().owners()).isEqualTo(Map.of("shard-7", "node-1", "shard-8", "node-2"));
        }
    }
}
