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
 * The lifecycle every statesync recipe shares: built by a static {@code builder(...)}, started
 * once, closed idempotently.
 *
 * <ul>
 *   <li>{@link #start()} may be called once; a second call, or a call after {@link #close()},
 *       throws {@link IllegalStateException}.
 *   <li>{@link #close()} is idempotent, throws nothing, removes every watch the recipe set, and
 *       releases what the recipe holds (locks, leadership, claims). No listener call starts after it
 *       returns.
 * </ul>
 */
public interface Recipe extends AutoCloseable {
    /**
     * Starts the recipe.
     *
     * @throws IllegalStateException if already started or closed
     */
    void start();

    /**
     * The lifecycle state.
     *
     * @return LATENT, STARTED or CLOSED
     */
    LifecycleState state();

    /** Stops the recipe and releases what it holds. Idempotent; never throws. */
    @Override
    void close();
}
