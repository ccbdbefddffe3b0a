package io.statesync.recipes.replication;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.contract.RecipeContract;
import java.util.concurrent.TimeUnit;

/** The shared recipe contract, run against a replicated state. */
class ReplicatedStateContractTest extends RecipeContract<Long, ReplicatedState<Long, Long>> {

    @Override
    protected ReplicatedState<Long, Long> newRecipe(Coordinator coordinator) {
        // The state is the highest change number submitted so far.
        return ReplicatedState.builder(coordinator, "/contract", Codec.longs(), Codec.longs(), 0L, Math::max)
                .build();
    }

    @Override
    protected void causeChange(Coordinator writer, int i) throws Exception {
        try (ReplicatedState<Long, Long> other = newRecipe(writer)) {
            other.start();
            other.submit((long) i).get(20, TimeUnit.SECONDS);
        }
    }

    @Override
    protected boolean reflects(StateChange<Long> change, int i) {
        return change.current().get().value() >= i;
    }
}
