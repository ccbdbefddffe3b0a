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
package io.statesync.core;

/**
 * Receives the coordinator's connection transitions. Every {@link StateListener} is one, so the
 * same listener can be registered on a {@link Coordinator} and on any recipe.
 *
 * <p>Called through the delivery engine: serially per listener, on the listener's executor, never
 * while statesync holds a lock.
 */
@FunctionalInterface
public interface ConnectionListener {
    /**
     * Called once per connection transition, in the order they happened.
     *
     * @param event the transition
     */
    void onConnection(ConnectionEvent event);
}
