package io.statesync.recipes.queue;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.contract.RecipeContract;

/** The shared recipe contract, run against the work queue's depth listeners. */
class WorkQueueContractTest extends RecipeContract<Long, WorkQueue<String>> {

    @Override
    protected WorkQueue<String> newRecipe(Coordinator coordinator) {
        return WorkQueue.builder(coordinator, "/contract", Codec.utf8()).build();
    }

    @Override
    protected void causeChange(Coordinator writer, int i) throws Exception {
        try (WorkQueue<String> queue =
                WorkQueue.builder(writer, "/contract", Codec.utf8()).build()) {
            queue.start();
            queue.offer("change-" + i);
        }
    }

    @Override
    protected boolean reflects(StateChange<Long> change, int i) {
        // Each change offers one item and nothing is taken, so change i makes the depth i.
        return change.current().isPresent() && change.current().get().value() >= i;
    }
}
