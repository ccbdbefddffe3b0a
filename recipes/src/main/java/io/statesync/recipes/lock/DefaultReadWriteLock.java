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

import java.time.Duration;
import java.util.Optional;

/** {@link DistributedReadWriteLock} on the shared queue engine. */
final class DefaultReadWriteLock extends EngineFacade implements DistributedReadWriteLock {

    DefaultReadWriteLock(LockEngine engine) {
        super(engine);
    }

    @Override
    public LockHandle acquireRead(Duration timeout) throws InterruptedException {
        return engine.acquire(LockQueue.Kind.READ, timeout);
    }

    @Override
    public Optional<LockHandle> tryAcquireRead() throws InterruptedException {
        return engine.tryAcquire(LockQueue.Kind.READ);
    }

    @Override
    public LockHandle acquireWrite(Duration timeout) throws InterruptedException {
        return engine.acquire(LockQueue.Kind.WRITE, timeout);
    }

    @Override
    public Optional<LockHandle> tryAcquireWrite() throws InterruptedException {
        return engine.tryAcquire(LockQueue.Kind.WRITE);
    }
}
