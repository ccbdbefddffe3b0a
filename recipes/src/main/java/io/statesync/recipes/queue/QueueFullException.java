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
package io.statesync.recipes.queue;

import io.statesync.core.StateSyncException;

/**
 * An offer was refused because the queue is at its capacity ({@link
 * WorkQueue.Builder#capacity(long)}): at once for {@link WorkQueue#offer(Object)}, or after the
 * timeout for {@link WorkQueue#offer(Object, java.time.Duration)}. Nothing was written.
 */
public class QueueFullException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    private final long capacity;
    private final long depth;

    /**
     * Creates the exception.
     *
     * @param path the queue's path
     * @param capacity the queue's capacity
     * @param depth the depth seen last
     * @param items how many items the refused offer carried
     */
    public QueueFullException(String path, long capacity, long depth, int items) {
        super(
                Reason.OTHER,
                path,
                "work queue " + path + " is full: " + depth + " of " + capacity + " items, no room for " + items
                        + " more; nothing was written",
                null);
        this.capacity = capacity;
        this.depth = depth;
    }

    /**
     * The queue's capacity.
     *
     * @return items
     */
    public long capacity() {
        return capacity;
    }

    /**
     * The depth the offer saw last.
     *
     * @return items
     */
    public long depth() {
        return depth;
    }
}
