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

import io.statesync.recipes.internal.PackFormat;
import org.jspecify.annotations.Nullable;

/**
 * A znode under a segment as the log sees it: a record ({@code pack} set), or a znode that is not
 * one, which stands for its one position so that readers and appenders step over it alike.
 */
record LogZnode(PackFormat.@Nullable Pack pack, @Nullable String error) {
    /** The positions it covers: its events, or the one position of a znode that is not a record. */
    int extent() {
        PackFormat.Pack p = pack;
        return p == null ? 1 : p.events().size();
    }

    /** Whether it is a record written by the given writer's append with the given sequence number. */
    boolean writtenBy(long high, long low, long seq) {
        PackFormat.Pack p = pack;
        return p != null && p.writtenBy(high, low, seq);
    }

    /** Decodes a znode's data; data that is not a record gives a znode with the reason in {@code error}. */
    static LogZnode of(String path, byte[] data) {
        try {
            return new LogZnode(PackFormat.decode(path, data), null);
        } catch (IllegalArgumentException e) {
            return new LogZnode(null, String.valueOf(e.getMessage()));
        }
    }
}
