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

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Reading znode names that are numbers (the segment and group znodes of the event log and queue). */
public final class ChildNames {
    private ChildNames() {}

    /**
     * The names that are decimal numbers, as numbers, ascending; other names are skipped (they are
     * not the recipe's).
     *
     * @param names child names as ZooKeeper lists them
     * @return the numeric ones, ascending (a new, mutable list)
     */
    public static List<Long> numericAscending(List<String> names) {
        List<Long> out = new ArrayList<>(names.size());
        for (String n : names) {
            try {
                out.add(Long.parseLong(n));
            } catch (NumberFormatException e) {
                // not ours; ignore
            }
        }
        Collections.sort(out);
        return out;
    }
}
