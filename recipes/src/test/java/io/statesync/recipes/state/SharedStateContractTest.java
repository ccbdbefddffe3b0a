package io.statesync.recipes.state;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.contract.RecipeContract;
import java.nio.charset.StandardCharsets;

/** {@link SharedState} keeps the contract every recipe keeps. */
class SharedStateContractTest extends RecipeContract<Long, SharedState<Long>> {
    @Override
    protected SharedState<Long> newRecipe(Coordinator coordinator) {
        return SharedState.builder(coordinator, "/contract/value", Codec.longs(), 0L)
                .build();
    }

    @Override
    protected void causeChange(Coordinator writer, int i) throws Exception {
        writer.curatorFramework()
                .create()
                .orSetData()
                .creatingParentContainersIfNeeded()
                .forPath("/contract/value", Long.toString(i).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected boolean reflects(StateChange<Long> change, int i) {
        return change.current().map(v -> v.value() >= i).orElse(false);
    }
}
