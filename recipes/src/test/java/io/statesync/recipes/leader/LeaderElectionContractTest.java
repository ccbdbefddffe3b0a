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

import static org.awaitility.Awaitility.await;

import io.statesync.core.Coordinator;
import io.statesync.core.contract.ListenerContract;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.KeeperException;

/**
 * The shared recipe contract for {@link LeaderElection}. A change is caused by deleting the current
 * leader's znode from another client: every participant then sees the leadership change.
 */
class LeaderElectionContractTest extends ListenerContract<Leadership, LeaderElection> {
    private final AtomicInteger participants = new AtomicInteger();

    @Override
    protected LeaderElection newRecipe(Coordinator coordinator) {
        return LeaderElection.builder(coordinator, "/contract-election")
                .participantId("p" + participants.incrementAndGet())
                .takeoverDelay(Duration.ZERO)
                .build();
    }

    @Override
    protected void causeChange(Coordinator writer, int i) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> deleteLeaderZnode(writer));
    }

    private static boolean deleteLeaderZnode(Coordinator writer) throws Exception {
        List<String> line;
        try {
            line = Participants.inLineOrder(
                    writer.curatorFramework().getChildren().forPath("/contract-election"));
        } catch (KeeperException.NoNodeException e) {
            return false;
        }
        if (line.isEmpty()) {
            return false;
        }
        try {
            writer.curatorFramework().delete().forPath("/contract-election/" + line.get(0));
            return true;
        } catch (KeeperException.NoNodeException e) {
            return false;
        }
    }
}
