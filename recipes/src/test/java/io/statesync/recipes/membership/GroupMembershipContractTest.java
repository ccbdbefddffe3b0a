package io.statesync.recipes.membership;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.contract.RecipeContract;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;

/** The shared recipe contract for {@link GroupMembership}: change i is member {@code w<i>} joining. */
class GroupMembershipContractTest extends RecipeContract<Member<String>, GroupMembership<String>> {
    private final AtomicInteger members = new AtomicInteger();

    @Override
    protected GroupMembership<String> newRecipe(Coordinator coordinator) {
        return GroupMembership.builder(coordinator, "/contract-group", Codec.utf8())
                .memberId("m" + members.incrementAndGet())
                .metadata("recipe")
                .build();
    }

    @Override
    protected void causeChange(Coordinator writer, int i) throws Exception {
        writer.curatorFramework()
                .create()
                .creatingParentContainersIfNeeded()
                .withMode(CreateMode.EPHEMERAL)
                .forPath("/contract-group/w" + i, ("writer " + i).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected boolean reflects(StateChange<Member<String>> change, int i) {
        String prefix = "/contract-group/w";
        if (!change.path().startsWith(prefix)) {
            return false;
        }
        return Integer.parseInt(change.path().substring(prefix.length())) >= i;
    }
}
