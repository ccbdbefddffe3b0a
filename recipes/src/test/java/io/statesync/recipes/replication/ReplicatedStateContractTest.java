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
package io.statesync.recipes.replication;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.contract.ListenerContract;
import java.util.concurrent.TimeUnit;

/** The shared recipe contract, run against a replicated state. */
class ReplicatedStateContractTest extends ListenerContract<Long, ReplicatedState<Long, Long>> {

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
