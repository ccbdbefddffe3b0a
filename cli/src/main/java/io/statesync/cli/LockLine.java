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
package io.statesync.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The names of a lock's znodes, {@code <kind>-<uuid>-<10-digit sequence>} with kind {@code lock},
 * {@code read}, {@code write} or {@code lease}, in line order (by sequence): the naming the lock
 * package's {@code LockQueue} documents and LayoutCompatibilityTest pins.
 */
final class LockLine {
    private static final Pattern NAME = Pattern.compile(
            "(lock|read|write|lease)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9]{10}");

    private LockLine() {}

    /** The kind a lock znode's name starts with, or null if it is not a lock znode. */
    static @Nullable String kindOf(String name) {
        return NAME.matcher(name).matches() ? name.substring(0, name.indexOf('-')) : null;
    }

    static List<String> sorted(List<String> children) {
        List<String> line = new ArrayList<>();
        for (String c : children) {
            if (kindOf(c) != null) {
                line.add(c);
            }
        }
        line.sort(Comparator.comparingLong(LockLine::sequence));
        return line;
    }

    private static long sequence(String name) {
        return Long.parseLong(name.substring(name.length() - 10));
    }
}
