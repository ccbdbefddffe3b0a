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
package io.statesync.recipes.eventlog;

/**
 * What a subscriber does with an event its codec cannot decode. Either way the event reaches
 * {@link io.statesync.core.StateListener#onError} as an {@link EventDecodingException} that names
 * its position; it is never dropped silently.
 */
public enum UndecodablePolicy {
    /**
     * Stop at the event (the default): nothing after it is delivered or applied, so state never
     * silently diverges from the other nodes. The subscription's {@code position()} stays at the
     * undecodable event and {@code failure()} holds the error; fix the codec (or truncate past the
     * event) and subscribe again from that position.
     */
    STOP,
    /** Report the event and go on with the next one. State built from the log then lacks it. */
    SKIP
}
