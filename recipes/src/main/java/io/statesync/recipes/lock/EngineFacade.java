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

import io.statesync.core.LifecycleState;
import java.util.concurrent.Executor;

/**
 * What the mutex, the read-write lock and the semaphore share: each is a thin view of one {@link
 * LockEngine}, and only its acquire methods differ.
 */
abstract class EngineFacade {
    final LockEngine engine;

    EngineFacade(LockEngine engine) {
        this.engine = engine;
    }

    public void start() {
        engine.start();
    }

    public LifecycleState state() {
        return engine.state();
    }

    public String path() {
        return engine.path();
    }

    public void addLockLostListener(LockLostListener listener) {
        engine.addListener(listener);
    }

    public void addLockLostListener(LockLostListener listener, Executor executor) {
        engine.addListener(listener, executor);
    }

    public boolean removeLockLostListener(LockLostListener listener) {
        return engine.removeListener(listener);
    }

    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return engine + " (" + engine.state() + ")";
    }
}
