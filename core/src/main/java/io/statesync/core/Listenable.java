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

import java.util.concurrent.Executor;

/**
 * Something that delivers changes to {@link StateListener}s: every recipe registers listeners the
 * same way.
 *
 * @param <T> the value type the listeners receive
 */
public interface Listenable<T> {
    /**
     * Adds a listener that runs on the coordinator's listener executor.
     *
     * @param listener the listener
     * @throws IllegalStateException if the recipe is closed
     */
    void addListener(StateListener<T> listener);

    /**
     * Adds a listener that runs on the given executor ({@code Runnable::run} runs it on statesync's
     * event thread, where it must not block).
     *
     * @param listener the listener
     * @param executor where it runs
     * @throws IllegalStateException if the recipe is closed
     */
    void addListener(StateListener<T> listener, Executor executor);

    /**
     * Removes a listener; no call to it starts after this returns.
     *
     * @param listener the listener
     * @return {@code true} if it was registered
     */
    boolean removeListener(StateListener<T> listener);
}
