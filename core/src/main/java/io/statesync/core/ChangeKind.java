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

/** What a {@link StateChange} reports. */
public enum ChangeKind {
    /**
     * The first change a listener receives: the value as it is when the listener starts watching.
     * {@link StateChange#current()} is absent if the node does not exist.
     */
    INITIAL,
    /** The node was created (or re-created after a delete: its czxid is new). */
    CREATED,
    /** The node's value changed; the previous value is the last one this listener was shown. */
    UPDATED,
    /** The node was deleted; {@link StateChange#current()} is absent. */
    DELETED,
    /**
     * After a reconnect or a new session the recipe re-read the node and cannot prove it was shown
     * every version in between: the listener must treat {@link StateChange#current()} as a fresh
     * snapshot, not as a delta. Never sent silently in place of an UPDATED.
     */
    RESYNCED
}
