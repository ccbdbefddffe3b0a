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

import io.statesync.core.internal.Deadline;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One caller waiting in acquire: woken by its watches, by connection events and by close.
 *
 * <p>It knows which of its watches are still set: a watch is set when the answer to the request
 * that asked for it arrives, and is gone once it fired; both reach the handle's event thread in
 * the order the server sent them. Only watches still set are removed at the end (a removal is a
 * round trip), unless a request is still unanswered, in which case every watched path is.
 */
final class Attempt {
    private static final Logger LOG = LoggerFactory.getLogger(Attempt.class);

    /** A path watched for an attempt, with the watcher that wakes it. */
    static final class WatchedPath {
        final String path;
        final Watcher watcher;
        final Attempt attempt;

        WatchedPath(String path, Watcher watcher, Attempt attempt) {
            this.path = path;
            this.watcher = watcher;
            this.attempt = attempt;
        }
    }

    /** A read of the queue that was sent, and the loss epoch just before it was sent. */
    static final class QueueRead {
        final CompletableFuture<List<String>> answer;
        final long epoch;

        QueueRead(CompletableFuture<List<String>> answer, long epoch) {
            this.answer = answer;
            this.epoch = epoch;
        }
    }

    private final Watcher watcher = this::onEvent;
    /** Guarded by {@code this}: sends a read of the queue; set while queued in one session. */
    private @Nullable Supplier<QueueRead> reader;
    /** Guarded by {@code this}: the next watch event sends the next read. */
    private boolean armed;
    /** Guarded by {@code this}: a read sent by a watch event, not taken yet. */
    private @Nullable QueueRead prefetched;
    /** Guarded by {@code this}: while armed, the path whose deletion frees the caller, if any. */
    private @Nullable String freeingPath;
    /** Guarded by {@code this}: the freeing path was deleted since the caller armed. */
    private boolean freed;
    /** Guarded by {@code this}. */
    private final Set<String> watchedPaths = new LinkedHashSet<>();
    /** Guarded by {@code this}: watched paths whose watch is set and has not fired. */
    private final Set<String> setWatches = new HashSet<>();
    /** Guarded by {@code this}: watching requests sent and not answered yet. */
    private int unanswered;
    /** Guarded by {@code this}. */
    private boolean signaled;

    synchronized Watcher watch(String zkPath) {
        watchedPaths.add(zkPath);
        unanswered++;
        return watcher;
    }

    WatchedPath watchPath(String zkPath) {
        return new WatchedPath(zkPath, watch(zkPath), this);
    }

    /** The answer to a watching request for {@code zkPath}; on the event thread. */
    synchronized void answered(String zkPath, boolean watchSet) {
        unanswered--;
        if (watchSet) {
            setWatches.add(zkPath);
        }
    }

    /** Starts queueing in one session: {@code reader} sends a read of the queue. */
    synchronized void startReading(Supplier<QueueRead> reader) {
        this.reader = reader;
        disarm();
    }

    /** Ends queueing in the session: no read is sent any more. */
    synchronized void stopReading() {
        reader = null;
        disarm();
    }

    /**
     * The caller is about to wait for a watch: the event sends the next read without waiting for
     * it, or, if {@code freeingPath} is given, notes whether that path was deleted.
     */
    synchronized void arm(@Nullable String freeingPath) {
        armed = true;
        prefetched = null;
        this.freeingPath = freeingPath;
        freed = false;
    }

    synchronized void disarm() {
        armed = false;
        prefetched = null;
        freeingPath = null;
        freed = false;
    }

    /** Whether the freeing path given to {@link #arm} was deleted while the caller waited. */
    synchronized boolean sawDeletion() {
        boolean deleted = freed;
        armed = false;
        freeingPath = null;
        freed = false;
        return deleted;
    }

    /**
     * The next read of the queue: the one a watch event sent, or a new one. Reads are sent under
     * this monitor, so they leave in the order the caller takes them; none is sent and dropped.
     */
    synchronized QueueRead nextRead() {
        QueueRead read = prefetched;
        disarm();
        if (read != null) {
            return read;
        }
        return Objects.requireNonNull(reader, "no session to read in").get();
    }

    private void onEvent(WatchedEvent event) {
        String p = event.getPath();
        if (event.getType() != Watcher.Event.EventType.None && p != null) {
            synchronized (this) {
                setWatches.remove(p);
                Supplier<QueueRead> r = reader;
                if (armed && freeingPath != null) {
                    if (event.getType() == Watcher.Event.EventType.NodeDeleted && p.equals(freeingPath)) {
                        armed = false;
                        freed = true;
                    }
                } else if (armed && r != null) {
                    // Sent from the event thread: a handoff does not wait for the caller to wake first.
                    armed = false;
                    try {
                        prefetched = r.get();
                    } catch (RuntimeException e) {
                        LOG.debug("sending a read of the queue from a watch event failed", e);
                    }
                }
            }
        }
        signal();
    }

    synchronized void signal() {
        signaled = true;
        notifyAll();
    }

    /** Waits for a signal; {@code false} if the deadline passed first. */
    synchronized boolean await(Deadline deadline) throws InterruptedException {
        if (!deadline.awaitWhile(this, () -> !signaled)) {
            return false;
        }
        signaled = false;
        return true;
    }

    void removeWatches(ZooKeeper zk) {
        List<String> toRemove;
        synchronized (this) {
            toRemove = new ArrayList<>(unanswered > 0 ? watchedPaths : setWatches);
            watchedPaths.clear();
            setWatches.clear();
        }
        for (String p : toRemove) {
            Attempt.removeWatch(zk, p, watcher);
        }
    }

    /** Removes a watch from the handle and the server, without waiting for the answer. */
    static void removeWatch(ZooKeeper zk, String zkPath, Watcher watcher) {
        try {
            zk.removeWatches(zkPath, watcher, Watcher.WatcherType.Any, true, (rc, p, ctx) -> {}, null);
        } catch (RuntimeException e) {
            LOG.debug("removing a watch on {} failed", zkPath, e);
        }
    }
}
