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
import io.statesync.recipes.ClientWatches;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Closing a group member removes the watches it set from the coordinator's ZooKeeper handle, and
 * only those: another member on the same coordinator watching the same znodes keeps hearing of them.
 */
@Timeout(60)
class MembershipWatchesTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final DeadlineProbe probe = new DeadlineProbe();

    @AfterEach
    void closeAll() throws Exception {
        probe.close();
    }

    private GroupMembership<String> member(Coordinator c, String id) {
        GroupMembership<String> g = probe.closeLater(GroupMembership.builder(c, "/members/watches", Codec.utf8())
                .memberId(id)
                .metadata("v1")
                .build());
        g.start();
        return g;
    }

    @Test
    void closingOneMemberLeavesAnotherOnTheSameCoordinatorWatchingAndTheLastLeavesNoWatch() throws Exception {
        Coordinator c = probe.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        Coordinator other = probe.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        GroupMembership<String> remote = member(other, "remote");
        assertThat(remote.awaitRegistered(Duration.ofSeconds(10))).isTrue();
        GroupMembership<String> kept = member(c, "kept");
        assertThat(kept.awaitRegistered(Duration.ofSeconds(10))).isTrue();
        // Its id is held by the remote member's session: it never registers (so closing it deletes
        // nothing and wakes nobody), but it reads the group with watches like any member.
        GroupMembership<String> closed = member(c, "remote");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> closed.members().keySet().equals(Set.of("kept", "remote"))
                        && kept.members().keySet().equals(Set.of("kept", "remote")));
        String full = c.internalAccess().fullPath("/members/watches");
        assertThat(ClientWatches.anyUnder(c, full)).isNotEmpty();

        closed.close();
        // The remote member's metadata changes: the member kept open hears of it through its own
        // watch (the closed one did not remove it).
        remote.updateMetadata("v2");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> kept.members().containsKey("remote")
                        && "v2".equals(kept.members().get("remote").value().metadata()));

        kept.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ClientWatches.anyUnder(c, full).isEmpty());
    }
}
