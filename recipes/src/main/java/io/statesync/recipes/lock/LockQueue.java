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
package io.statesync.recipes.lock;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The ordering rules of a lock's queue, with no ZooKeeper in them: which children are lock znodes
 * ({@code <kind>-<uuid>-<10-digit sequence>}), their order (by sequence), and who blocks whom: any
 * earlier child blocks a mutex holder or a writer, an earlier writer blocks a reader, and the first
 * {@code maxLeases} children of a semaphore hold a lease. Stateless and thread-safe.
 */
final class LockQueue {
    private static final int UUID_LENGTH = 36;
    private static final int SEQUENCE_DIGITS = 10;

    /** What a znode in the queue asks for. */
    enum Kind {
        LOCK("lock", true),
        READ("read", false),
        WRITE("write", true),
        LEASE("lease", false);

        final String prefix;
        final boolean exclusive;

        Kind(String prefix, boolean exclusive) {
            this.prefix = prefix;
            this.exclusive = exclusive;
        }
    }

    private static final Kind[] KINDS = Kind.values();

    private LockQueue() {}

    /**
     * The child the waiter at {@code index} waits for: {@code null} if nothing blocks it, the empty
     * string if it must watch the children (a lease, of at most {@code maxLeases} holders), else the
     * name of the child to watch.
     */
    static @Nullable String blocker(List<String> queue, int index, Kind kind, int maxLeases) {
        return switch (kind) {
            case LOCK, WRITE -> index == 0 ? null : queue.get(index - 1);
            case READ -> lastExclusiveBefore(queue, index);
            case LEASE -> index < maxLeases ? null : "";
        };
    }

    private static @Nullable String lastExclusiveBefore(List<String> queue, int index) {
        for (int j = index - 1; j >= 0; j--) {
            Kind k = kindOf(queue.get(j));
            if (k != null && k.exclusive) {
                return queue.get(j);
            }
        }
        return null;
    }

    /** The lock znodes among {@code children}, in queue order. */
    static List<String> sorted(List<String> children) {
        List<String> ours = new ArrayList<>(children.size());
        for (String c : children) {
            if (isLockNode(c)) {
                ours.add(c);
            }
        }
        if (ours.size() > 1) {
            ours.sort(Comparator.comparingLong(LockQueue::sequence));
        }
        return ours;
    }

    /**
     * Whether {@code name} is a lock znode, {@code <kind>-<uuid>-<10 digits>} (checked by hand: this
     * runs for every child on every read of the queue).
     */
    static boolean isLockNode(String name) {
        int dash = name.indexOf('-');
        if (dash < 0 || kindOf(name) == null || name.length() != dash + 1 + UUID_LENGTH + 1 + SEQUENCE_DIGITS) {
            return false;
        }
        int uuid = dash + 1;
        for (int i = 0; i < UUID_LENGTH; i++) {
            char c = name.charAt(uuid + i);
            boolean ok = (i == 8 || i == 13 || i == 18 || i == 23)
                    ? c == '-'
                    : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            if (!ok) {
                return false;
            }
        }
        if (name.charAt(uuid + UUID_LENGTH) != '-') {
            return false;
        }
        for (int i = name.length() - SEQUENCE_DIGITS; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The sequence suffix of a lock znode's name. */
    private static long sequence(String name) {
        long sequence = 0;
        for (int i = name.length() - SEQUENCE_DIGITS; i < name.length(); i++) {
            sequence = sequence * 10 + (name.charAt(i) - '0');
        }
        return sequence;
    }

    /** The kind a znode name starts with, or {@code null} if none. */
    static @Nullable Kind kindOf(String name) {
        for (Kind k : KINDS) {
            if (name.startsWith(k.prefix)
                    && name.length() > k.prefix.length()
                    && name.charAt(k.prefix.length()) == '-') {
                return k;
            }
        }
        return null;
    }

    /**
     * Whether the deletion of the blocker alone frees the waiter at {@code index}: it is the only
     * znode ahead (a mutex or writer), or the only writer ahead (a reader).
     */
    static boolean onlyBlocker(List<String> queue, int index, Kind kind) {
        return switch (kind) {
            case LOCK, WRITE -> index == 1;
            case READ -> {
                int exclusives = 0;
                for (int j = 0; j < index; j++) {
                    Kind k = kindOf(queue.get(j));
                    if (k != null && k.exclusive) {
                        exclusives++;
                    }
                }
                yield exclusives == 1;
            }
            case LEASE -> false;
        };
    }
}
