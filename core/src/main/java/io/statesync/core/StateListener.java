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
 * The one interface through which every statesync recipe reaches application code: data changes,
 * connection transitions and errors.
 *
 * <p>Delivery rules, the same for every recipe (see {@code docs/core.md}):
 *
 * <ul>
 *   <li>calls to one listener are serial and in order, on the executor it was registered with (or
 *       the coordinator's listener executor);
 *   <li>a listener is never called while statesync holds a lock, so it may call back into the
 *       recipe;
 *   <li>a listener that throws is logged with the event and isolated: it and every other listener
 *       keep receiving later events;
 *   <li>a slow listener delays only itself;
 *   <li>after the listener is removed, or the recipe is closed, no further call starts.
 * </ul>
 *
 * @param <T> the decoded value type
 */
@FunctionalInterface
public interface StateListener<T> extends ConnectionListener {
    /**
     * A data change. Per path, the changes a listener is shown never go back in zxid.
     *
     * @param change the change
     */
    void onChange(StateChange<T> change);

    /**
     * A connection transition of the recipe's coordinator. Does nothing by default.
     *
     * @param event the transition
     */
    // A StateListener lambda implements onChange; connection events are optional for it.
    @SuppressWarnings("FunctionalInterfaceMethodChanged")
    @Override
    default void onConnection(ConnectionEvent event) {}

    /**
     * An error that did not stop delivery, for example data at a path that does not decode. Does
     * nothing by default; the recipe has already logged it.
     *
     * @param error the error, with the path it concerns
     */
    default void onError(StateSyncException error) {}
}
