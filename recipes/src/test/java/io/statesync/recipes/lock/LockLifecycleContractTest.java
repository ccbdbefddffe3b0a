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
package io.statesync.recipes.lock;

import io.statesync.core.Coordinator;
import io.statesync.core.contract.LifecycleContract;
import org.junit.jupiter.api.Nested;

/** The shared lifecycle contract for the three lock recipes, which have no {@code StateListener}. */
class LockLifecycleContractTest {
    @Nested
    class Mutex extends LifecycleContract<DistributedLock> {
        @Override
        protected DistributedLock newRecipe(Coordinator coordinator) {
            return DistributedLock.builder(coordinator, "/contract-mutex").build();
        }
    }

    @Nested
    class ReadWrite extends LifecycleContract<DistributedReadWriteLock> {
        @Override
        protected DistributedReadWriteLock newRecipe(Coordinator coordinator) {
            return DistributedReadWriteLock.builder(coordinator, "/contract-rw").build();
        }
    }

    @Nested
    class Semaphore extends LifecycleContract<DistributedSemaphore> {
        @Override
        protected DistributedSemaphore newRecipe(Coordinator coordinator) {
            return DistributedSemaphore.builder(coordinator, "/contract-semaphore", 2)
                    .build();
        }
    }
}
