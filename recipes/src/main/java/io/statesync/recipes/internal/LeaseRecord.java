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
package io.statesync.recipes.internal;

import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * What a semaphore's lease znode holds: the {@code maxLeases} its client was built with, as the
 * text {@code maxLeases=<n>}. The semaphore itself never reads it back (its clients must agree on
 * the number; the lease znodes are how an operator sees whether they do); the {@code statesync}
 * command reads it to tell the holders of a semaphore from its waiters. A lease written by a release
 * that stored nothing reads as unknown.
 */
public final class LeaseRecord {
    private static final String PREFIX = "maxLeases=";

    private LeaseRecord() {}

    /**
     * The data of a lease znode.
     *
     * @param maxLeases the client's {@code maxLeases}
     * @return the bytes to store
     */
    public static byte[] encode(int maxLeases) {
        return (PREFIX + maxLeases).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The {@code maxLeases} a lease znode records.
     *
     * @param data the znode's data
     * @return the number, or empty if the data holds none (an older release's lease, or not a lease)
     */
    public static OptionalInt maxLeasesOf(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        if (!text.startsWith(PREFIX)) {
            return OptionalInt.empty();
        }
        try {
            int n = Integer.parseInt(text.substring(PREFIX.length()));
            return n > 0 ? OptionalInt.of(n) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
