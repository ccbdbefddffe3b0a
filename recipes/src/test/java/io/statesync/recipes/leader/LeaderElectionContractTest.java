package io.statesync.recipes.leader;

import static org.awaitility.Awaitility.await;

import io.statesync.core.Coordinator;
import io.statesync.core.contract.RecipeContract;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.KeeperException;

/**
 * The shared recipe contract for {@link LeaderElection}. A change is caused by deleting the current
 * leader's znode from another client: every participant then sees the leadership change.
 */
class LeaderElectionContractTest extends RecipeContract<Leadership, LeaderElection> {
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
