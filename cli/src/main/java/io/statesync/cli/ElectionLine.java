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

/**
 * The names of an election's participant znodes, {@code _c_<attempt uuid>-p-<10-digit sequence>},
 * in line order (by sequence; the first leads): the naming the leader package's {@code
 * Participants} documents and LayoutCompatibilityTest pins.
 */
final class ElectionLine {
    private static final Pattern NAME = Pattern.compile("_c_[0-9a-f-]{36}-p-[0-9]{10}");

    private ElectionLine() {}

    static boolean isParticipant(String name) {
        return NAME.matcher(name).matches();
    }

    static List<String> inLineOrder(List<String> children) {
        List<String> line = new ArrayList<>();
        for (String c : children) {
            if (isParticipant(c)) {
                line.add(c);
            }
        }
        line.sort(Comparator.comparingLong(n -> Long.parseLong(n.substring(n.length() - 10))));
        return line;
    }
}
