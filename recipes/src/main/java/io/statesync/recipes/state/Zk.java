package io.statesync.recipes.state;

import io.statesync.core.AclMode;
import io.statesync.core.ConnectionLossException;
import io.statesync.core.Coordinator;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.ZkErrors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;

/**
 * Small helpers for talking to the raw ZooKeeper handle behind the coordinator. The recipe uses the
 * asynchronous API of the handle so that replies, watch events and connection events reach it in
 * one order (ZooKeeper's event thread), which is what makes its zxid bookkeeping sound.
 */
final class Zk {
    /** Server watches set by recipes of this package, counted per handle and path. */
    private static final Map<ZooKeeper, Map<String, Integer>> WATCHES = new WeakHashMap<>();

    private Zk() {}

    /** The current ZooKeeper handle of the coordinator (a new one after session expiry). */
    static ZooKeeper handle(Coordinator coordinator) {
        try {
            return coordinator.curatorFramework().getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw ZkErrors.translate(e, null);
        }
    }

    /** The path as the server knows it: with the coordinator's namespace. */
    static String fullPath(Coordinator coordinator, String path) {
        return ZKPaths.fixForNamespace(coordinator.curatorFramework().getNamespace(), path);
    }

    /** The ACL for znodes this recipe creates, as the coordinator's ACL mode says. */
    static List<ACL> acl(Coordinator coordinator) {
        return coordinator.aclMode() == AclMode.CREATOR_ONLY
                ? ZooDefs.Ids.CREATOR_ALL_ACL
                : ZooDefs.Ids.OPEN_ACL_UNSAFE;
    }

    /** Whether a result code leaves the outcome of a request unknown (the connection or session went). */
    static boolean isLoss(int rc) {
        return rc == KeeperException.Code.CONNECTIONLOSS.intValue()
                || rc == KeeperException.Code.OPERATIONTIMEOUT.intValue()
                || rc == KeeperException.Code.REQUESTTIMEOUT.intValue()
                || rc == KeeperException.Code.SESSIONEXPIRED.intValue()
                || rc == KeeperException.Code.SESSIONMOVED.intValue();
    }

    /** The typed error for a result code. */
    static StateSyncException error(int rc, String path) {
        return ZkErrors.translate(
                KeeperException.Code.get(rc), path, KeeperException.create(KeeperException.Code.get(rc), path));
    }

    /**
     * Sleeps before retry {@code n} (1, 2, ...) after a lost connection, by the coordinator's retry
     * policy, or fails if the policy's retries are used up. Uninterruptible: the caller is in the
     * middle of resolving a write and must not abandon it; the interrupt is kept for later.
     */
    static void backoffAfterLoss(Coordinator coordinator, String path, int n) {
        if (n > coordinator.retry().maxRetries()) {
            throw new ConnectionLossException(
                    path, "connection to ZooKeeper lost and not back after " + (n - 1) + " retries", null);
        }
        long base = coordinator.retry().baseSleep().toNanos();
        long max = coordinator.retry().maxSleep().toNanos();
        long cap = Math.min(max, base << Math.min(n - 1, 20));
        sleepUninterruptibly(base / 2 + ThreadLocalRandom.current().nextLong(Math.max(1, cap - base / 2)));
    }

    /**
     * Sleeps before compare-and-set attempt {@code attempt + 1} after {@code attempt} conflicts in a
     * row: not at all for the first three (a fresh base is already at hand), then a random time up
     * to 100 µs doubling per conflict, capped at {@code maxNanos}.
     */
    static void backoffAfterConflict(int attempt, long maxNanos) {
        if (attempt < 4) {
            return;
        }
        long cap = Math.min(maxNanos, TimeUnit.MICROSECONDS.toNanos(100L << Math.min(attempt - 4, 20)));
        sleepUninterruptibly(ThreadLocalRandom.current().nextLong(Math.max(1, cap)));
    }

    static void sleepUninterruptibly(long nanos) {
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.sleep(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Counts a server watch set on a handle for a path. */
    static synchronized void watchAdded(ZooKeeper zk, String fullPath) {
        WATCHES.computeIfAbsent(zk, k -> new HashMap<>()).merge(fullPath, 1, Integer::sum);
    }

    /**
     * Counts a watch removed; when it was the last of this package on the path, removes the
     * server's watch and every local registration for the path (ZooKeeper keeps one server watch
     * per connection and path, so removing it earlier would silence the other instances).
     */
    static void watchRemoved(ZooKeeper zk, String fullPath, Watcher.WatcherType type) {
        boolean last;
        synchronized (Zk.class) {
            Map<String, Integer> paths = WATCHES.get(zk);
            Integer count = paths == null ? null : paths.get(fullPath);
            if (paths == null || count == null) {
                return;
            }
            last = count <= 1;
            if (last) {
                paths.remove(fullPath);
            } else {
                paths.put(fullPath, count - 1);
            }
        }
        if (last) {
            zk.removeAllWatches(fullPath, type, true, (rc, p, ctx) -> {}, null);
        }
    }
}
