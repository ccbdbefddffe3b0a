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
package io.statesync.recipes.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Coordinator;
import io.statesync.recipes.ClientWatches;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Closing an election removes the watches it set from the coordinator's ZooKeeper handle, and
 * another election on the same coordinator watching the same znode keeps hearing of it.
 */
@Timeout(60)
class LeaderWatchesTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final DeadlineProbe probe = new DeadlineProbe();

    @AfterEach
    void closeAll() throws Exception {
        probe.close();
    }

    private LeaderElection started(Coordinator c, String path, String id) {
        LeaderElection e = probe.closeLater(
                LeaderElection.builder(c, path).participantId(id).build());
        e.start();
        return e;
    }

    @Test
    void closingAFollowerRemovesTheWatchItSetOnTheLeader() throws Exception {
        Coordinator c = probe.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        Coordinator other = probe.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        LeaderElection leader = started(other, "/el/watches", "leader");
        assertThat(leader.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        LeaderElection follower = started(c, "/el/watches", "follower");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> follower.currentLeader().equals(Optional.of("leader")));
        String full = c.internalAccess().fullPath("/el/watches");
        assertThat(ClientWatches.under(c, full))
                .as("the follower watches the leader")
                .isNotEmpty();

        follower.close();
        // The leader's znode is still there: only the removal can take the watch away.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ClientWatches.under(c, full).isEmpty());
        assertThat(leader.isLeader()).isTrue();
    }

    @Test
    void closingOneFollowerLeavesAnotherOnTheSameCoordinatorFollowing() throws Exception {
        Coordinator c = probe.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        Coordinator other = probe.connect(zk.connectString(), zk.namespace(), Duration.ofSeconds(10));
        LeaderElection leader = started(other, "/el/shared", "leader");
        assertThat(leader.awaitLeadership(Duration.ofSeconds(10))).isTrue();
        // Both followers watch the leader's znode through the same handle.
        LeaderElection closed = started(c, "/el/shared", "closed");
        LeaderElection kept = started(c, "/el/shared", "kept");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> closed.currentLeader().equals(Optional.of("leader"))
                        && kept.currentLeader().equals(Optional.of("leader")));

        closed.close();
        leader.close();
        assertThat(kept.awaitLeadership(Duration.ofSeconds(10)))
                .as("the follower kept open hears the leader leave")
                .isTrue();
    }
}
