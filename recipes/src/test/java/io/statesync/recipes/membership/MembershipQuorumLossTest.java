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
import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Membership through quorum loss on a three-server ensemble, held past the session timeout: every
 * client gives its session up (LOST) while the servers still hold it; when quorum returns, each
 * member replaces its own old znode at once and every node converges.
 */
@Timeout(120)
class MembershipQuorumLossTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.cluster(3);

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    @Test
    void everyNodeConvergesAfterQuorumReturns() throws Exception {
        AtomicInteger lost = new AtomicInteger();
        List<GroupMembership<String>> groups = new ArrayList<>();
        List<Coordinator> coordinators = new ArrayList<>();
        for (String id : List.of("m1", "m2", "m3")) {
            Coordinator c = Coordinator.builder(zk.connectString())
                    .namespace(zk.namespace())
                    .sessionTimeout(Duration.ofSeconds(4))
                    .connectionTimeout(Duration.ofSeconds(2))
                    .build();
            opened.add(c);
            c.addListener(e -> {
                if (e.kind() == ConnectionEvent.Kind.LOST) {
                    lost.incrementAndGet();
                }
            });
            c.start();
            c.awaitConnected(Duration.ofSeconds(20));
            coordinators.add(c);
            GroupMembership<String> g = GroupMembership.builder(c, "/members", Codec.utf8())
                    .memberId(id)
                    .metadata("meta-" + id)
                    .build();
            opened.add(g);
            g.start();
            groups.add(g);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> groups.stream().allMatch(g -> g.members().keySet().equals(Set.of("m1", "m2", "m3"))));

        List<InstanceSpec> servers = zk.clusterInstances();
        zk.killServer(servers.get(0));
        zk.killServer(servers.get(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> lost.get() >= 3);
        zk.restartServer(servers.get(0));
        zk.restartServer(servers.get(1));

        // The servers still hold the old sessions (their timeouts restart with the new quorum): the
        // members replace their own old znodes instead of waiting for those to expire.
        await().atMost(Duration.ofSeconds(30)).until(() -> groups.stream().allMatch(GroupMembership::isRegistered));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> groups.stream()
                        .allMatch(g -> g.members().keySet().equals(Set.of("m1", "m2", "m3"))
                                && g.members().values().stream()
                                        .allMatch(v -> coordinators.stream()
                                                .anyMatch(c -> c.sessionId()
                                                        == v.value().sessionId()))));
        for (GroupMembership<String> g : groups) {
            assertThat(g.members().get(g.memberId())).isNotNull();
        }
    }
}
