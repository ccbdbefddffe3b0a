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

import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkAccess;
import io.statesync.core.internal.ZkErrors;
import io.statesync.recipes.eventlog.LogAppender.Tail;
import io.statesync.recipes.eventlog.LogStore.Meta;
import io.statesync.recipes.internal.RawOps;
import io.statesync.recipes.internal.Segments;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;

/**
 * The retention of one {@link LogStore}: moves the retention point in the log's meta (a versioned
 * write, so that it only ever moves forward) and then deletes the whole segments below it, and the
 * groups they emptied, never the segment of the log's last znode. Thread-safe.
 */
final class LogRetention {
    private final LogStore store;
    private final LogAppender appender;
    private final Coordinator coordinator;
    private final String path;
    private final Segments segments;

    LogRetention(LogStore store, LogAppender appender) {
        this.store = store;
        this.appender = appender;
        this.coordinator = store.coordinator;
        this.path = store.path;
        this.segments = store.segments;
    }

    /**
     * Truncates the log before a position; see {@link EventLog#truncateBefore(long)}. Every request
     * runs against the deadline.
     */
    void truncateBefore(long before, Deadline d) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("truncation of " + path + " not started: the thread was interrupted");
        }
        String what = "truncation of event log " + path + " before position " + before;
        Meta m = store.layout(d, what, Outcome.NOT_APPLIED);
        Tail tail;
        int losses = 0;
        Outcome outcome = Outcome.NOT_APPLIED;
        while (true) {
            Meta fresh = store.freshMeta(d, what, outcome);
            if (before <= fresh.earliest()) {
                return;
            }
            tail = appender.findTail(m, d, what, outcome);
            if (before > tail.end()) {
                throw new IllegalArgumentException(
                        "cannot truncate " + path + " before position " + before + ": the log ends at " + tail.end());
            }
            Meta updated = new Meta(fresh.segmentSize(), fresh.groupSize(), before, fresh.version());
            ZkAccess zk = store.zk();
            String full = zk.fullPath(store.metaPath);
            CompletableFuture<ZkAccess.Reply> sent = new CompletableFuture<>();
            zk.handle()
                    .setData(
                            full,
                            updated.encode(),
                            fresh.version(),
                            (rc, p, ctx, stat) -> sent.complete(new ZkAccess.Reply(rc, null, stat, null, null)),
                            null);
            outcome = Outcome.UNKNOWN;
            ZkAccess.Reply r = ZkAccess.await(sent, d, store.metaPath, what, outcome);
            if (r.ok()) {
                break;
            }
            if (ZkAccess.isLoss(r.rc())) {
                // Safe to repeat: a write that landed makes the next round see the new retention point.
                zk.backoff(++losses, d, store.metaPath, what, outcome);
            } else if (r.rc() != KeeperException.Code.BADVERSION.intValue()) {
                throw ZkAccess.error(r.rc(), store.metaPath);
            }
        }
        deleteBelow(m, before, tail, d, what);
    }

    /** Sends a multi of deletes, again after a lost reply (a delete that landed then answers NO_NODE). */
    private void deleteAll(List<Op> ops, Deadline d, String what) {
        int losses = 0;
        while (true) {
            try {
                store.multi(ops, d, what);
                return;
            } catch (OperationTimeoutException e) {
                throw e;
            } catch (StateSyncException e) {
                if (e.reason() == StateSyncException.Reason.CONNECTION_LOSS
                        || e.reason() == StateSyncException.Reason.SESSION_EXPIRED) {
                    store.zk().backoff(++losses, d, path, what, Outcome.UNKNOWN);
                    continue;
                }
                if (e.reason() != StateSyncException.Reason.NO_NODE) {
                    throw e;
                }
                return; // another truncation deleted it first
            }
        }
    }

    /**
     * Deletes whole segments below a position, never the segment of the log's last znode (the
     * next appender's check needs it).
     */
    private void deleteBelow(Meta m, long before, Tail tail, Deadline d, String what) {
        Outcome outcome = Outcome.UNKNOWN;
        long lastSegment = tail.lastStart() < 0 ? -1 : tail.lastStart() / m.segmentSize();
        RawOps c = new RawOps(coordinator);
        for (long g : store.numericChildren(store.logDir, d, what, outcome)) {
            boolean groupDone = true;
            for (long s : store.numericChildren(segments.groupPath(g), d, what, outcome)) {
                if ((s + 1) * m.segmentSize() > before || s >= lastSegment) {
                    groupDone = false;
                    break;
                }
                String segPath = segments.segmentPath(m, s);
                List<Long> starts = store.numericChildren(segPath, d, what, outcome);
                List<Op> ops = new ArrayList<>();
                try {
                    for (long p : starts) {
                        ops.add(c.delete(-1, segPath + "/" + p));
                        if (ops.size() >= 500) {
                            deleteAll(ops, d, what);
                            ops = new ArrayList<>();
                        }
                    }
                    ops.add(c.delete(-1, segPath));
                } catch (StateSyncException e) {
                    throw e;
                } catch (Exception e) {
                    throw ZkErrors.translate(e, segPath);
                }
                deleteAll(ops, d, what);
            }
            long groupEndSegment = (g + 1) * m.groupSize();
            if (!groupDone || groupEndSegment > lastSegment || groupEndSegment * m.segmentSize() > before) {
                return;
            }
            String groupPath = segments.groupPath(g);
            ZkAccess zk = store.zk();
            String full = zk.fullPath(groupPath);
            ZkAccess.Reply r = zk.call(d, groupPath, what, outcome, h -> ZkAccess.delete(h, full, -1));
            if (!r.ok() && !r.noNode() && r.rc() != KeeperException.Code.NOTEMPTY.intValue()) {
                throw ZkAccess.error(r.rc(), groupPath);
            }
        }
    }
}
