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
package io.statesync.core.internal;

import io.statesync.core.AclMode;
import io.statesync.core.ConnectionLossException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.Retry;
import io.statesync.core.StateSyncException;
import io.statesync.core.Ticker;
import io.statesync.core.Versioned;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

/**
 * The one door to ZooKeeper of one {@code Coordinator}: the current handle, paths with the
 * namespace, the ACL for new znodes, the one retry engine (the coordinator's {@link Retry} policy,
 * every sleep interruptible and bounded by the caller's {@link Deadline}), the server watches set
 * on the handle counted per path, and the threads statesync starts (from the coordinator's thread
 * factory). Nothing here is process-wide: each coordinator has its own.
 *
 * <p>Calls here never nest retries: a blocking call either sends one request and waits for its
 * reply until the deadline, or runs the retry loop of {@link #call}, never both.
 *
 * <p>Thread-safe.
 */
public final class ZkAccess {
    private final CuratorFramework curator;
    private final AclMode aclMode;
    private final Retry retry;
    private final Duration requestedSessionTimeout;
    private final Duration operationTimeout;
    private final ThreadFactory threadFactory;
    private final Ticker ticker;
    private final ServerSilence silence;
    private final int packetLimit = RequestSize.limit();
    private final WatchCounts watches = new WatchCounts();

    /**
     * Creates the access of one coordinator; only the coordinator calls this.
     *
     * @param curator the coordinator's client
     * @param aclMode who may read and change new znodes
     * @param retry the retry policy
     * @param requestedSessionTimeout the session timeout asked of the server
     * @param operationTimeout the default deadline of a blocking call
     * @param threadFactory where every thread statesync starts comes from
     * @param ticker the time source of every deadline and backoff
     * @param silence the watch on the server's silence
     */
    public ZkAccess(
            CuratorFramework curator,
            AclMode aclMode,
            Retry retry,
            Duration requestedSessionTimeout,
            Duration operationTimeout,
            ThreadFactory threadFactory,
            Ticker ticker,
            ServerSilence silence) {
        this.curator = curator;
        this.silence = silence;
        this.ticker = ticker;
        this.aclMode = aclMode;
        this.retry = retry;
        this.requestedSessionTimeout = requestedSessionTimeout;
        this.operationTimeout = operationTimeout;
        this.threadFactory = threadFactory;
    }

    /**
     * How long the server has been silent, and the watchdog that acts on it.
     *
     * @return the coordinator's silence watch
     */
    public ServerSilence silence() {
        return silence;
    }

    /**
     * The current ZooKeeper handle (a new one after session expiry).
     *
     * @return the handle
     * @throws StateSyncException if the client has no handle (not started, or closed)
     */
    public ZooKeeper handle() {
        try {
            return curator.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw ZkErrors.translate(e, null);
        }
    }

    /**
     * The path as the server knows it: with the coordinator's namespace.
     *
     * @param path a path relative to the namespace
     * @return the absolute path
     */
    public String fullPath(String path) {
        return ZKPaths.fixForNamespace(curator.getNamespace(), path);
    }

    /**
     * The ACL for znodes a recipe creates, as the coordinator's ACL mode says.
     *
     * @return the ACL list
     */
    public List<ACL> acl() {
        return aclMode == AclMode.CREATOR_ONLY ? ZooDefs.Ids.CREATOR_ALL_ACL : ZooDefs.Ids.OPEN_ACL_UNSAFE;
    }

    /**
     * A deadline of the coordinator's default operation timeout, from now.
     *
     * @return the deadline
     */
    public Deadline defaultDeadline() {
        return deadline(operationTimeout);
    }

    /**
     * A deadline {@code timeout} from now on the coordinator's {@link Ticker}.
     *
     * @param timeout how long from now; negative counts as zero
     * @return the deadline
     */
    public Deadline deadline(Duration timeout) {
        return Deadline.after(ticker, timeout);
    }

    /**
     * The coordinator's time source: every time-dependent rule of a recipe reads it.
     *
     * @return the ticker
     */
    public Ticker ticker() {
        return ticker;
    }

    /**
     * The coordinator's default operation timeout.
     *
     * @return the timeout
     */
    public Duration operationTimeout() {
        return operationTimeout;
    }

    /**
     * The session timeout the server granted for the current session, or the requested one while
     * no session is established. Every rule derived from the session timeout reads this.
     *
     * @return the negotiated session timeout
     */
    public Duration sessionTimeout() {
        try {
            ZooKeeper zk = curator.getZookeeperClient().getZooKeeper();
            int negotiated = zk.getSessionTimeout();
            if (negotiated > 0 && zk.getState().isConnected()) {
                return Duration.ofMillis(negotiated);
            }
        } catch (Exception e) {
            // not started or closed: the requested value is all there is
        }
        return requestedSessionTimeout;
    }

    /**
     * A new thread from the coordinator's thread factory, named and marked daemon.
     *
     * @param name the thread's name
     * @param task what it runs
     * @return the thread, not started
     */
    public Thread newThread(String name, Runnable task) {
        Thread t = threadFactory.newThread(task);
        t.setName(name);
        if (!t.isDaemon()) {
            t.setDaemon(true);
        }
        return t;
    }

    /**
     * Whether a result code leaves the outcome of a request unknown (the connection or session went).
     *
     * @param rc a ZooKeeper result code
     * @return {@code true} for connection loss, timeouts and session expiry
     */
    public static boolean isLoss(int rc) {
        return rc == KeeperException.Code.CONNECTIONLOSS.intValue()
                || rc == KeeperException.Code.OPERATIONTIMEOUT.intValue()
                || rc == KeeperException.Code.REQUESTTIMEOUT.intValue()
                || rc == KeeperException.Code.SESSIONEXPIRED.intValue()
                || rc == KeeperException.Code.SESSIONMOVED.intValue();
    }

    /**
     * The typed error for a result code.
     *
     * @param rc a ZooKeeper result code
     * @param path the path concerned
     * @return the typed error
     */
    public static StateSyncException error(int rc, @Nullable String path) {
        KeeperException.Code code = KeeperException.Code.get(rc);
        return ZkErrors.translate(code, path, KeeperException.create(code, path));
    }

    /**
     * Whether a write carrying {@code dataBytes} of data could come near ZooKeeper's packet limit,
     * so that it must be measured exactly ({@link RequestSize}) before it is sent. Paths are
     * bounded ({@link ZPaths#MAX_PATH_LENGTH}), so a write whose data is more than 64 KiB under the
     * limit cannot reach it, whatever its paths, and costs no measuring.
     *
     * @param dataBytes the data the write carries, all operations together
     * @return {@code true} if the write must be measured
     */
    public boolean mayReachPacketLimit(long dataBytes) {
        return dataBytes + 65_536 > packetLimit;
    }

    /**
     * The error code of one operation of a failed {@code multi}.
     *
     * @param results the multi's results, or {@code null} if none came back
     * @param i the operation's index
     * @return its error code, or 0 if it did not fail (or there are no results)
     */
    public static int opError(@Nullable List<OpResult> results, int i) {
        if (results == null || results.size() <= i || !(results.get(i) instanceof OpResult.ErrorResult error)) {
            return 0;
        }
        return error.getErr();
    }

    // ---------------------------------------------------------------- one request, one reply

    /**
     * The reply to one request: its result code and whatever the request returns. Immutable: the
     * caller must not change the data.
     *
     * @param rc the result code (0 for OK, else a ZooKeeper error code)
     * @param data the data read, or {@code null}
     * @param stat the znode's stat, or {@code null}
     * @param children the children listed, or {@code null}
     * @param createdPath the path created (with its sequence suffix), or {@code null}
     */
    @SuppressWarnings("ArrayRecordComponent") // read-only by contract; replies are never compared
    public record Reply(
            int rc,
            byte @Nullable [] data,
            @Nullable Stat stat,
            @Nullable List<String> children,
            @Nullable String createdPath) {

        /**
         * The reply to a read or a write: its result code, the data read and the stat.
         *
         * @param rc the result code (0 for OK)
         * @param data the data read, or {@code null}
         * @param stat the znode's stat, or {@code null}
         */
        public Reply(int rc, byte @Nullable [] data, @Nullable Stat stat) {
            this(rc, data, stat, null, null);
        }

        /**
         * Whether the request succeeded.
         *
         * @return {@code rc == 0}
         */
        public boolean ok() {
            return rc == 0;
        }

        /**
         * Whether the node was not there.
         *
         * @return {@code rc == NONODE}
         */
        public boolean noNode() {
            return rc == KeeperException.Code.NONODE.intValue();
        }

        /**
         * The stat of a request that succeeded with one (a create, a write, an exists of a node
         * that is there).
         *
         * @param path the path concerned, for the error
         * @return the stat
         * @throws StateSyncException translated from the result code ({@link #error}) if the
         *     request failed or returned no stat
         */
        public Stat statOrThrow(@Nullable String path) {
            Stat s = stat;
            if (rc != 0 || s == null) {
                throw error(rc, path);
            }
            return s;
        }
    }

    /**
     * Reads a znode's data and stat.
     *
     * @param zk the handle to send on
     * @param fullPath the absolute path
     * @return the reply, completed on ZooKeeper's event thread
     */
    public static CompletableFuture<Reply> getData(ZooKeeper zk, String fullPath) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        zk.getData(fullPath, false, (rc, p, ctx, data, stat) -> f.complete(new Reply(rc, data, stat)), null);
        return f;
    }

    /**
     * Reads a znode's stat.
     *
     * @param zk the handle to send on
     * @param fullPath the absolute path
     * @return the reply, completed on ZooKeeper's event thread
     */
    public static CompletableFuture<Reply> exists(ZooKeeper zk, String fullPath) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        zk.exists(fullPath, false, (rc, p, ctx, stat) -> f.complete(new Reply(rc, null, stat)), null);
        return f;
    }

    /**
     * Lists a znode's children.
     *
     * @param zk the handle to send on
     * @param fullPath the absolute path
     * @return the reply, completed on ZooKeeper's event thread
     */
    public static CompletableFuture<Reply> getChildren(ZooKeeper zk, String fullPath) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        zk.getChildren(
                fullPath,
                false,
                (rc, p, ctx, children, stat) -> f.complete(new Reply(rc, null, stat, children, null)),
                null);
        return f;
    }

    /**
     * Reads a znode's data and stat and sets a data watch on it. The caller counts the watch with
     * {@link #watchAdded} once the reply says it was set (a read that fails sets no watch, except
     * on a missing znode, where {@code getData} sets none either).
     *
     * @param zk the handle to send on
     * @param fullPath the absolute path
     * @param watcher called once, when the znode changes or is deleted, or when the session ends
     * @return the reply, completed on ZooKeeper's event thread
     */
    public static CompletableFuture<Reply> getData(ZooKeeper zk, String fullPath, Watcher watcher) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        zk.getData(fullPath, watcher, (rc, p, ctx, data, stat) -> f.complete(new Reply(rc, data, stat)), null);
        return f;
    }

    /**
     * Reads a znode's stat and sets an existence watch on it, which is set whether or not the znode
     * exists (so a missing znode's creation is seen too).
     *
     * @param zk the handle to send on
     * @param fullPath the absolute path
     * @param watcher called once, when the znode is created, changed or deleted, or when the session ends
     * @return the reply, completed on ZooKeeper's event thread
     */
    public static CompletableFuture<Reply> exists(ZooKeeper zk, String fullPath, Watcher watcher) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        zk.exists(fullPath, watcher, (rc, p, ctx, stat) -> f.complete(new Reply(rc, null, stat)), null);
        return f;
    }

    /**
     * Lists a znode's children and sets a child watch on it (none is set if the znode is missing).
     *
     * @param zk the handle to send on
     * @param fullPath the absolute path
     * @param watcher called once, when a child is added or removed, the znode is deleted, or the
     *     session ends
     * @return the reply, completed on ZooKeeper's event thread
     */
    public static CompletableFuture<Reply> getChildren(ZooKeeper zk, String fullPath, Watcher watcher) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        zk.getChildren(
                fullPath,
                watcher,
                (rc, p, ctx, children, stat) -> f.complete(new Reply(rc, null, stat, children, null)),
                null);
        return f;
    }

    /**
     * Creates a znode (its parent must exist).
     *
     * @param zk the handle to send on
     * @param fullPath the absolute path
     * @param data the data
     * @param mode the create mode
     * @return the reply with the created path and stat, completed on ZooKeeper's event thread
     */
    public CompletableFuture<Reply> create(ZooKeeper zk, String fullPath, byte[] data, CreateMode mode) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        zk.create(
                fullPath,
                data,
                acl(),
                mode,
                (rc, p, ctx, name, stat) -> f.complete(new Reply(rc, null, stat, null, name)),
                null);
        return f;
    }

    /**
     * Sets a znode's data if its version matches.
     *
     * @param zk the handle to send on
     * @param fullPath the absolute path
     * @param data the new data
     * @param version the expected version, or -1 for any
     * @return the reply with the new stat, completed on ZooKeeper's event thread
     */
    public static CompletableFuture<Reply> setData(ZooKeeper zk, String fullPath, byte[] data, int version) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        zk.setData(fullPath, data, version, (rc, p, ctx, stat) -> f.complete(new Reply(rc, null, stat)), null);
        return f;
    }

    /**
     * Deletes a znode if its version matches.
     *
     * @param zk the handle to send on
     * @param fullPath the absolute path
     * @param version the expected version, or -1 for any
     * @return the reply, completed on ZooKeeper's event thread
     */
    public static CompletableFuture<Reply> delete(ZooKeeper zk, String fullPath, int version) {
        CompletableFuture<Reply> f = new CompletableFuture<>();
        zk.delete(fullPath, version, (rc, p, ctx) -> f.complete(new Reply(rc, null, null)), null);
        return f;
    }

    // ---------------------------------------------------------------- blocking, with a deadline

    /**
     * Waits for a reply until the deadline.
     *
     * @param reply the reply
     * @param deadline when to stop waiting
     * @param path the path concerned, for the error
     * @param what the operation, for the error
     * @param outcome what a timeout or interrupt means for the operation: {@link
     *     OperationTimeoutException.Outcome#NOT_APPLIED} for reads, {@link
     *     OperationTimeoutException.Outcome#UNKNOWN} for writes
     * @param <R> the reply type
     * @return the reply
     * @throws OperationTimeoutException if the deadline passed, or the thread was interrupted (its
     *     interrupt flag set again)
     */
    public static <R> R await(
            CompletableFuture<R> reply,
            Deadline deadline,
            @Nullable String path,
            String what,
            OperationTimeoutException.Outcome outcome) {
        try {
            return deadline.await(reply);
        } catch (InterruptedException e) {
            throw Deadline.interrupted(path, what, outcome);
        } catch (TimeoutException e) {
            throw deadline.expired(path, what, outcome);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw ZkErrors.translate(cause == null ? e : cause, path);
        }
    }

    /**
     * Runs a request that is safe to repeat (a read, or a write guarded by a version), repeating it
     * after a lost connection by the retry policy, until it gets an answer or the deadline passes.
     *
     * @param deadline when to give up
     * @param path the path concerned, for errors
     * @param what the operation, for errors
     * @param outcome what a timeout means for the operation (see {@link #await})
     * @param request sends the request on the given handle
     * @return the first reply that is not a connection loss (its rc may be any other error)
     * @throws OperationTimeoutException if the deadline passed or the thread was interrupted
     * @throws ConnectionLossException if the retry policy's retries are used up
     */
    public Reply call(
            Deadline deadline,
            @Nullable String path,
            String what,
            OperationTimeoutException.Outcome outcome,
            Function<ZooKeeper, CompletableFuture<Reply>> request) {
        int losses = 0;
        while (true) {
            Reply r = await(request.apply(handle()), deadline, path, what, outcome);
            if (!isLoss(r.rc())) {
                return r;
            }
            backoff(++losses, deadline, path, what, outcome);
        }
    }

    /**
     * Sleeps before retry {@code n} (1, 2, ...) after a lost connection, by the retry policy: a
     * random time between half the base sleep and {@code baseSleep × 2^(n-1)}, capped at the
     * policy's longest sleep and at the deadline.
     *
     * @param n the retry about to be made, from 1
     * @param deadline the caller's deadline
     * @param path the path concerned, for errors
     * @param what the operation, for errors
     * @param outcome what giving up means for the operation
     * @throws ConnectionLossException if the policy's retries are used up
     * @throws OperationTimeoutException if the deadline passes, or the thread is interrupted (its
     *     interrupt flag set again)
     */
    public void backoff(
            int n, Deadline deadline, @Nullable String path, String what, OperationTimeoutException.Outcome outcome) {
        if (n > retry.maxRetries()) {
            throw new ConnectionLossException(
                    path,
                    what + ": connection to ZooKeeper lost and not back after " + (n - 1) + " retries"
                            + (outcome == OperationTimeoutException.Outcome.UNKNOWN
                                    ? "; whether it took effect is unknown"
                                    : ""),
                    null);
        }
        long base = retry.baseSleep().toNanos();
        long cap = Math.min(retry.maxSleep().toNanos(), base << Math.min(n - 1, 20));
        long sleep = base / 2 + ThreadLocalRandom.current().nextLong(Math.max(1, cap - base / 2));
        try {
            if (!deadline.sleep(sleep)) {
                throw deadline.expired(path, what, outcome);
            }
        } catch (InterruptedException e) {
            throw Deadline.interrupted(path, what, outcome);
        }
    }

    /**
     * Reads a znode's data and stat, repeating the read after a lost connection until the deadline.
     *
     * @param path the path, relative to the namespace
     * @param deadline when to give up
     * @param what the operation, for errors
     * @param outcome what a timeout means for the caller's operation
     * @return the data with its version and zxids, or empty if the znode does not exist
     * @throws OperationTimeoutException if the deadline passed or the thread was interrupted
     * @throws ConnectionLossException if the retry policy's retries are used up
     * @throws StateSyncException typed, for other failures (e.g. access denied)
     */
    public Optional<Versioned<byte[]>> read(
            String path, Deadline deadline, String what, OperationTimeoutException.Outcome outcome) {
        String full = fullPath(path);
        Reply r = call(deadline, path, what, outcome, zk -> getData(zk, full));
        if (r.noNode()) {
            return Optional.empty();
        }
        Stat stat = r.stat();
        if (!r.ok() || stat == null) {
            throw error(r.rc(), path);
        }
        byte[] data = r.data();
        return Optional.of(Nodes.versioned(data == null ? new byte[0] : data, stat));
    }

    /**
     * Creates a znode (and its missing ancestors, as containers) unless it exists, repeating the
     * create after a lost connection until the deadline: safe, since an existing znode is taken as
     * it is.
     *
     * @param path the path, relative to the namespace
     * @param data the data of a new znode
     * @param mode the create mode (not sequential)
     * @param deadline when to give up
     * @param what the operation, for errors
     * @param outcome what a timeout means for the caller's operation
     * @throws OperationTimeoutException if the deadline passed or the thread was interrupted
     * @throws ConnectionLossException if the retry policy's retries are used up
     * @throws StateSyncException typed, for other failures (e.g. access denied)
     */
    public void createIfAbsent(
            String path,
            byte[] data,
            CreateMode mode,
            Deadline deadline,
            String what,
            OperationTimeoutException.Outcome outcome) {
        String full = fullPath(path);
        createParents(full, deadline, path, what, outcome);
        Reply r = call(deadline, path, what, outcome, zk -> create(zk, full, data, mode));
        if (!r.ok() && r.rc() != KeeperException.Code.NODEEXISTS.intValue()) {
            throw error(r.rc(), path);
        }
    }

    /**
     * Creates every missing ancestor of a znode as a container node (ZooKeeper deletes an empty
     * container by itself), as {@link #call} does: safe to repeat, since an ancestor that exists is
     * taken as it is.
     *
     * @param fullPath the absolute path whose ancestors must exist
     * @param deadline when to give up
     * @param path the path concerned, for errors
     * @param what the operation, for errors
     * @param outcome what giving up means for the caller's operation
     * @throws OperationTimeoutException if the deadline passed or the thread was interrupted
     * @throws ConnectionLossException if the retry policy's retries are used up
     * @throws StateSyncException typed, if an ancestor cannot be created (e.g. access denied)
     */
    public void createParents(
            String fullPath,
            Deadline deadline,
            @Nullable String path,
            String what,
            OperationTimeoutException.Outcome outcome) {
        int end = fullPath.indexOf('/', 1);
        while (end > 0) {
            String ancestor = fullPath.substring(0, end);
            Reply r =
                    call(deadline, path, what, outcome, zk -> create(zk, ancestor, new byte[0], CreateMode.CONTAINER));
            if (!r.ok() && r.rc() != KeeperException.Code.NODEEXISTS.intValue()) {
                throw error(r.rc(), path);
            }
            end = fullPath.indexOf('/', end + 1);
        }
    }

    // ---------------------------------------------------------------- watch counting

    /**
     * Counts a server watch set on a handle for a path. Pair every call with {@link #watchRemoved}.
     *
     * @param zk the handle
     * @param fullPath the absolute path
     */
    public void watchAdded(ZooKeeper zk, String fullPath) {
        watches.added(zk, fullPath);
    }

    /**
     * Counts a watch removed; when it was the last one on the path, removes the server's watch and
     * every local registration for the path (ZooKeeper keeps one server watch per connection and
     * path, so removing it earlier would silence the other instances).
     *
     * @param zk the handle
     * @param fullPath the absolute path
     * @param type which watches to remove from the server when the count reaches zero
     */
    public void watchRemoved(ZooKeeper zk, String fullPath, Watcher.WatcherType type) {
        watches.removed(zk, fullPath, type);
    }

    /**
     * Counts a one-shot watch that its znode's deletion fired: the server dropped every one-shot
     * watch of the path with the delete, so nothing is sent, whatever the count (a request to remove
     * them would only cost a round trip, and could remove a watch a read set after the delete).
     *
     * @param zk the handle
     * @param fullPath the absolute path of the deleted znode
     */
    public void watchFiredByDelete(ZooKeeper zk, String fullPath) {
        watches.decrement(zk, fullPath);
    }
}
