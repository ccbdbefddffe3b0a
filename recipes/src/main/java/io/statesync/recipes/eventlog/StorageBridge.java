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

import io.statesync.core.Codec;
import io.statesync.recipes.internal.EventStorage;

/**
 * Lets another module build this package's {@link EventLog} on a storage of its own ({@link
 * EventStorage#newLog}), without a public constructor: loaded by name, it registers the factory.
 */
final class StorageBridge {
    static {
        EventStorage.Factory.register(StorageBridge::create);
    }

    private StorageBridge() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static EventLog<?> create(Codec<?> codec, EventStorage storage) {
        return new DefaultEventLog(storage.coordinator(), codec, storage);
    }
}
