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
