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

import io.statesync.core.LockLostException;

/**
 * Told when a handle stops being valid without its owner releasing it: on a connection loss (as
 * the coordinator's {@link io.statesync.core.ConnectionLossPolicy} defines it), on session expiry,
 * or when the holder's znode is deleted by someone else. Not called for handles released with
 * {@link LockHandle#close()}, and never after the lock recipe was closed.
 *
 * <p>Called through statesync's delivery engine: serially per listener, on the executor it was
 * registered with, never while the lock recipe holds its internal lock. By the time it runs, {@link
 * LockHandle#isValid()} already returns {@code false} and guarded writes through the handle fail.
 */
@FunctionalInterface
public interface LockLostListener {
    /**
     * The handle was lost.
     *
     * @param handle the handle, already invalid
     * @param reason what happened, with the holder's znode as its path
     */
    void lockLost(LockHandle handle, LockLostException reason);
}
