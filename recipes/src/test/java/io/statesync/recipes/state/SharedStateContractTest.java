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
package io.statesync.recipes.state;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.contract.ListenerContract;
import java.nio.charset.StandardCharsets;

/** {@link SharedState} keeps the contract every recipe keeps. */
class SharedStateContractTest extends ListenerContract<Long, SharedState<Long>> {
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
