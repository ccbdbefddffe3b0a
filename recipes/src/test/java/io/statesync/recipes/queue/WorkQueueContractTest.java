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
package io.statesync.recipes.queue;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.contract.ListenerContract;

/** The shared recipe contract, run against the work queue's depth listeners. */
class WorkQueueContractTest extends ListenerContract<Long, WorkQueue<String>> {

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
