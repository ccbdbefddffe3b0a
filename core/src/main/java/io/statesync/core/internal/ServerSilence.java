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

import io.statesync.core.ConnectionLossPolicy;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.utils.DefaultZookeeperFactory;
import org.apache.curator.utils.ZookeeperFactory;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long the ZooKeeper client has gone without a reply from the server, and the watchdog that acts
 * when that silence passes the limit of the coordinator's {@link ConnectionLossPolicy}.
 *
 * <p><b>The silence</b> is read from the ZooKeeper client's own receive clock (the time its socket
 * last read a reply: a response, a watch event or a ping's answer), sampled only while the client
 * says it is connected, because the client also resets that clock when a TCP connection to a server
 * opens, before any server has answered. Where that clock cannot be read (a ZooKeeper client other
 * than 3.9), {@link #silentMillis()} answers {@code -1} and nothing here acts.
 *
 * <p><b>The limit</b> is where the policy already counts the connection as lost: under {@code
 * ON_SUSPENDED}, the client's read timeout (two thirds of the negotiated session timeout), which is
 * exactly when the client itself gives up the connection and reports SUSPENDED; under {@code
 * ON_LOST}, the negotiated session timeout, after which the server may have expired the session.
 * The difference is one of timing, not of rule: the client's report reaches recipes through two
 * event threads and only when its threads run, while this answer is computed on the caller's thread
 * from the clock. After this process was paused (a stop signal, a long garbage collection, a
 * suspended virtual machine) or while the client's event thread is blocked, it is the first to know.
 *
 * <p><b>The watchdog</b> is one daemon thread per coordinator that wakes every {@value
 * #PERIOD_MILLIS} ms, logs a pause of the process when it woke at least {@value #PAUSE_LOG_MILLIS}
 * ms late, and runs the registered actions once each time the silence passes the limit (lock
 * engines mark their handles lost, elections stop their task). Thread-safe.
 */
public final class ServerSilence {
    private static final Logger LOG = LoggerFactory.getLogger(ServerSilence.class);

    /** How often the watchdog wakes. */
    public static final long PERIOD_MILLIS = 50;

    /** A wake-up at least this late is logged as a pause of the whole process. */
    public static final long PAUSE_LOG_MILLIS = 1_000;

    private static final @Nullable ReceiveClock CLOCK = ReceiveClock.resolve();

    private final ConnectionLossPolicy policy;
    private final Duration requestedSessionTimeout;
    private final ThreadFactory threadFactory;
    private final List<Runnable> actions = new CopyOnWriteArrayList<>();
    /** The elapsed-clock millis of the latest reply heard while connected; 0 before the first. */
    private final AtomicLong lastReply = new AtomicLong();

    private volatile int negotiatedMillis;
    /** The client's handle and its socket, as recorded by {@link #zookeeperFactory()} when made. */
    private volatile @Nullable Watched watched;

    private @Nullable ScheduledExecutorService watchdog;
    private long lastWake;
    private boolean acted;

    /**
     * @param policy the coordinator's loss policy
     * @param requestedSessionTimeout the session timeout asked for, used until one is negotiated
     * @param threadFactory where the watchdog's thread comes from
     */
    public ServerSilence(ConnectionLossPolicy policy, Duration requestedSessionTimeout, ThreadFactory threadFactory) {
        this.policy = policy;
        this.requestedSessionTimeout = requestedSessionTimeout;
        this.threadFactory = threadFactory;
    }

    /**
     * The factory the coordinator's Curator client makes its ZooKeeper handles with: Curator's
     * default, which also records each handle here, so that the clock is read from the handle in use
     * without asking Curator for it (Curator's own accessor also hands out, and so takes away from
     * the operation that would have seen it, any error it queued in the background).
     *
     * @return the factory to give Curator's builder
     */
    public ZookeeperFactory zookeeperFactory() {
        ZookeeperFactory made = new DefaultZookeeperFactory();
        return new ZookeeperFactory() {
            @Override
            public ZooKeeper newZooKeeper(
                    String connectString, int sessionTimeout, Watcher watcher, boolean canBeReadOnly) throws Exception {
                return record(made.newZooKeeper(connectString, sessionTimeout, watcher, canBeReadOnly));
            }

            @Override
            public ZooKeeper newZooKeeper(
                    String connectString,
                    int sessionTimeout,
                    Watcher watcher,
                    boolean canBeReadOnly,
                    ZKClientConfig clientConfig)
                    throws Exception {
                return record(made.newZooKeeper(connectString, sessionTimeout, watcher, canBeReadOnly, clientConfig));
            }
        };
    }

    private ZooKeeper record(ZooKeeper zk) {
        ReceiveClock clock = CLOCK;
        Object socket = clock == null ? null : clock.socketOf(zk);
        watched = socket == null ? null : new Watched(zk, socket);
        return zk;
    }

    /** A handle of the client and the socket its receive clock is kept on. */
    private record Watched(ZooKeeper zk, Object socket) {}

    /**
     * Registers an action the watchdog runs, on its thread, each time the silence passes the limit.
     * Actions must not block.
     *
     * @param action what to run
     * @return what unregisters it
     */
    public Registration onPastLimit(Runnable action) {
        actions.add(action);
        return () -> actions.remove(action);
    }

    /** An action registered with {@link #onPastLimit(Runnable)}; closing it unregisters it. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * How long since the client last heard a reply from a server while connected.
     *
     * @return the silence in milliseconds, or {@code -1} if unknown (no connection yet, or the
     *     client's receive clock cannot be read)
     */
    public long silentMillis() {
        sample();
        long heard = lastReply.get();
        return heard == 0 ? -1 : Math.max(0, nowMillis() - heard);
    }

    /**
     * When the client last heard a reply from a server while connected, on the elapsed clock ({@link
     * System#nanoTime()} in milliseconds): one silence is one value of this, so a holder acting on a
     * silence can tell whether it acted on this one already.
     *
     * @return the time of the latest reply, or {@code 0} before the first
     */
    public long lastReplyMillis() {
        return lastReply.get();
    }

    /**
     * The silence after which the loss policy counts the connection as lost.
     *
     * @return the limit in milliseconds
     */
    public long limitMillis() {
        int negotiated = negotiatedMillis;
        long session = negotiated > 0 ? negotiated : requestedSessionTimeout.toMillis();
        return policy == ConnectionLossPolicy.ON_LOST ? session : session * 2 / 3;
    }

    /**
     * Whether the silence has passed the limit, and if so why, in words for an exception or a log.
     *
     * @return the reason, or {@code null} while the server has answered recently enough (or the
     *     silence is unknown)
     */
    public @Nullable String pastLimit() {
        return pastLimit(silentMillis());
    }

    private @Nullable String pastLimit(long silent) {
        long limit = limitMillis();
        if (silent < 0 || silent < limit) {
            return null;
        }
        String what = policy == ConnectionLossPolicy.ON_LOST
                ? "the negotiated session timeout (" + limit + " ms)"
                : "the connection's read timeout (" + limit + " ms, two thirds of the negotiated session timeout)";
        return "no reply from ZooKeeper for " + silent + " ms, past " + what + "; under " + policy
                + " the connection counts as lost";
    }

    /** Starts the watchdog. */
    public synchronized void start() {
        if (watchdog != null) {
            return;
        }
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = threadFactory.newThread(task);
            t.setName("statesync-watchdog");
            t.setDaemon(true);
            return t;
        });
        lastWake = nowMillis();
        // An exception would end the schedule: wakeSafely() catches every one.
        ScheduledFuture<?> unused =
                s.scheduleWithFixedDelay(this::wakeSafely, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        watchdog = s;
    }

    /** Stops the watchdog; registered actions are dropped. */
    public synchronized void close() {
        ScheduledExecutorService s = watchdog;
        if (s != null) {
            s.shutdownNow();
        }
        actions.clear();
    }

    private void wakeSafely() {
        try {
            wake();
        } catch (RuntimeException e) {
            LOG.error("the watchdog of the server's silence failed; it runs again in {} ms", PERIOD_MILLIS, e);
        }
    }

    /** One wake-up of the watchdog, on its thread. */
    private void wake() {
        long now = nowMillis();
        long late = now - lastWake - PERIOD_MILLIS;
        lastWake = now;
        long silent = silentMillis();
        String reason = pastLimit(silent);
        if (late >= PAUSE_LOG_MILLIS) {
            LOG.warn(
                    "this process did not run for {} ms (a garbage collection, a stopped process or a suspended"
                            + " machine); ZooKeeper last answered {} ms ago",
                    late,
                    silent);
        }
        if (reason == null) {
            acted = false;
            return;
        }
        if (acted) {
            return;
        }
        acted = true;
        if (actions.isEmpty()) {
            LOG.debug("{}; nothing is held here", reason);
        } else {
            LOG.warn("{}: holders give up now, before the client reports it", reason);
        }
        for (Runnable action : actions) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.error("an action on the server's silence failed; the others still run", e);
            }
        }
    }

    /** Reads the client's receive clock if it is connected, and keeps the latest reading. */
    private void sample() {
        ReceiveClock clock = CLOCK;
        Watched w = watched;
        if (clock == null || w == null || !w.zk().getState().isConnected()) {
            return;
        }
        long heard = clock.lastHeard(w.socket());
        // Connected before and after the read: the reading is a server's reply, not a TCP connect.
        if (heard <= 0 || !w.zk().getState().isConnected()) {
            return;
        }
        int negotiated = w.zk().getSessionTimeout();
        if (negotiated > 0) {
            negotiatedMillis = negotiated;
        }
        lastReply.accumulateAndGet(heard, Math::max);
    }

    /** The clock the ZooKeeper client keeps its receive times in. */
    private static long nowMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }

    /**
     * The fields through which the ZooKeeper 3.9 client's receive clock is read: the handle's
     * connection, its send thread's socket, and the socket's time of the last read.
     */
    private record ReceiveClock(Field connection, Field sendThread, Field socket, Field lastHeard) {
        static @Nullable ReceiveClock resolve() {
            try {
                Field connection = ZooKeeper.class.getDeclaredField("cnxn");
                Class<?> cnxn = connection.getType();
                Field sendThread = cnxn.getDeclaredField("sendThread");
                Field socket = sendThread.getType().getDeclaredField("clientCnxnSocket");
                Field lastHeard = socket.getType().getDeclaredField("lastHeard");
                for (Field f : List.of(connection, sendThread, socket, lastHeard)) {
                    f.setAccessible(true);
                }
                return new ReceiveClock(connection, sendThread, socket, lastHeard);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.info(
                        "the ZooKeeper client's receive clock cannot be read ({}); the server's silence is not"
                                + " watched, and holders give up when the client reports the loss",
                        e.toString());
                return null;
            }
        }

        @Nullable
        Object socketOf(ZooKeeper zk) {
            try {
                Object cnxn = connection.get(zk);
                Object thread = cnxn == null ? null : sendThread.get(cnxn);
                return thread == null ? null : socket.get(thread);
            } catch (IllegalAccessException e) {
                return null;
            }
        }

        long lastHeard(Object clientSocket) {
            try {
                return lastHeard.getLong(clientSocket);
            } catch (IllegalAccessException e) {
                return 0;
            }
        }
    }
}
