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
package io.statesync.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The fencing order of writes read back from the ensemble: in commit order (czxid) a write's fence
 * (a lock token, a leadership epoch) must never be lower than one committed before it. Shared by the
 * lock and the singleton checkers.
 */
final class FenceOrder<T> {
    private final ToLongFunction<T> fence;
    private final ToLongFunction<T> czxid;
    private final Function<T, String> name;

    FenceOrder(ToLongFunction<T> fence, ToLongFunction<T> czxid, Function<T, String> name) {
        this.fence = fence;
        this.czxid = czxid;
        this.name = name;
    }

    /** The writes committed after a write of a higher fence; empty when fencing held. */
    List<T> outOfOrder(List<T> landed) {
        List<T> bad = new ArrayList<>();
        List<String[]> unused = walk(landed, bad);
        return bad;
    }

    /**
     * For each write out of order, its minimal violating window: the last write of a higher fence
     * committed before it, and it.
     */
    List<String> windows(List<T> landed) {
        List<String> out = new ArrayList<>();
        for (String[] w : walk(landed, new ArrayList<>())) {
            out.add(String.format(Locale.ROOT, "%s committed after %s", w[0], w[1]));
        }
        return out;
    }

    private List<String[]> walk(List<T> landed, List<T> bad) {
        List<T> sorted = new ArrayList<>(landed);
        sorted.sort(Comparator.comparingLong(czxid));
        List<String[]> windows = new ArrayList<>();
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < sorted.size(); i++) {
            T l = sorted.get(i);
            long f = fence.applyAsLong(l);
            if (f < highest) {
                bad.add(l);
                T before = l;
                for (int j = i - 1; j >= 0; j--) {
                    if (fence.applyAsLong(sorted.get(j)) > f) {
                        before = sorted.get(j);
                        break;
                    }
                }
                windows.add(new String[] {describe(l), describe(before)});
            }
            highest = Math.max(highest, f);
        }
        return windows;
    }

    private String describe(T l) {
        return String.format(
                Locale.ROOT, "%s (fence %d, czxid 0x%x)", name.apply(l), fence.applyAsLong(l), czxid.applyAsLong(l));
    }
}
