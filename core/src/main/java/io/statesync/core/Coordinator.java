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
package io.statesync.core;

import io.statesync.core.internal.BuilderOptions;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.ZPaths;
import io.statesync.core.internal.ZkAccess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.DefaultACLProvider;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.SessionConnectionStateErrorPolicy;
import org.apache.curator.framework.state.StandardConnectionStateErrorPolicy;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection to ZooKeeper that every statesync recipe runs on: one session, its settings
 * (namespace, timeouts, retries, credentials, ACLs, TLS, the connection-loss policy and the value
 * size limit), and its connection events.
 *
 * <pre>{@code
 * try (Coordinator coordinator = Coordinator.builder("zk1:2181,zk2:2181,zk3:2181")
 *         .namespace("orders")
 *         .sessionTimeout(Duration.ofSeconds(15))
 *         .build()) {
 *     coordinator.start();
 *     coordinator.awaitConnected(Duration.ofSeconds(10));
 *     // build recipes on it
 * }
 * }</pre>
 *
 * <p><b>Connection loss.</b> The coordinator reports every transition ({@link
 * ConnectionEvent.Kind}) to its listeners and marks, by its {@link ConnectionLossPolicy}, which of
 * them are losses: the one place where that decision is made for every recipe built on it.
 * SUSPENDED means the connection dropped and the session may live on; LOST means the session is
 * gone (expired by the server, or the session timeout passed while disconnected); RECONNECTED says
 * whether a new session began. Operations retry by the {@link Retry} policy while the session
 * lives.
 *
 * <p><b>Lifecycle.</b> {@link #start()} once; {@link #close()} is idempotent and ends the session
 * (deleting this client's ephemeral nodes at once rather than after the session timeout). Close the
 * recipes built on a coordinator before the coordinator.
 *
 * <p><b>Threading.</b> Thread-safe. Listeners run through statesync's delivery engine: serially per
 * listener, on the executor given when adding it or on the coordinator's listener executor.
 */
public final class Coordinator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

    /**
     * The longest {@link #close()} waits for the server to confirm the end of the session: 2 s.
     */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    /** The largest value limit that may be configured. */
    static final int MAX_VALUE_LIMIT = 100 * 1024 * 1024;

    private final String connectString;
    private final String namespace;
    private final Duration sessionTimeout;
    private final Duration connectionTimeout;
    private final Duration operationTimeout;
    private final ThreadFactory threadFactory;
    private final ZkAccess access;
    private final io.statesync.core.internal.Telemetry telemetry;
    private final io.statesync.core.internal.RecipeRegistry recipes = new io.statesync.core.internal.RecipeRegistry();
    private final ConnectionLossPolicy lossPolicy;
    private final AclMode aclMode;
    private final int maxValueBytes;
    private final Retry retry;
    private final CuratorFramework curator;
    private final Executor listenerExecutor;
    private final @Nullable ExecutorService ownedExecutor;
    private final ListenerSet<ConnectionListener> listeners;
    private final Lifecycle lifecycle;
    private final Object sessionLock = new Object();
    private long lastSessionId;
    // Guarded by sessionLock: the last connection state seen (null before the first), and since
    // since when (a ticker reading) the client has been without a connection; meaningful only while
    // disconnected is true.
    private ConnectionEvent.@Nullable Kind lastKind;
    private long disconnectedSince;
    private boolean disconnected;
    private final Duration healthDownAfter;
    private final Ticker ticker;
    private final java.util.concurrent.atomic.AtomicBoolean namespaceSetUp =
            new java.util.concurrent.atomic.AtomicBoolean();

    private Coordinator(Builder b) {
        this.connectString = Objects.requireNonNull(b.connectString);
        this.namespace = b.namespace;
        this.healthDownAfter = b.effectiveHealthDownAfter();
        Ticker givenTicker = b.ticker;
        this.ticker = givenTicker != null ? givenTicker : Ticker.system();
        this.telemetry = new io.statesync.core.internal.Telemetry(ticker);
        this.sessionTimeout = b.sessionTimeout;
        this.connectionTimeout = b.effectiveConnectionTimeout();
        this.operationTimeout = b.effectiveOperationTimeout();
        ThreadFactory givenThreads = b.threadFactory;
        this.threadFactory = givenThreads != null ? givenThreads : Thread::new;
        this.lossPolicy = b.lossPolicy;
        this.aclMode = b.aclMode;
        this.maxValueBytes = b.maxValueBytes;
        this.retry = b.retry;
        Executor given = b.listenerExecutor;
        if (given == null) {
            ExecutorService pool = Executors.newCachedThreadPool(daemonThreads(threadFactory, "statesync-listener"));
            this.ownedExecutor = pool;
            this.listenerExecutor = pool;
        } else {
            this.ownedExecutor = null;
            this.listenerExecutor = given;
        }
        this.listeners = new ListenerSet<>("Coordinator " + connectString, listenerExecutor);
        this.lifecycle = new Lifecycle("Coordinator for " + connectString);

        CuratorFrameworkFactory.Builder cb = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(Math.toIntExact(sessionTimeout.toMillis()))
                .connectionTimeoutMs(Math.toIntExact(connectionTimeout.toMillis()))
                .retryPolicy(toCurator(retry))
                .threadFactory(daemonThreads(threadFactory, "statesync-curator"))
                .connectionStateErrorPolicy(
                        lossPolicy == ConnectionLossPolicy.ON_SUSPENDED
                                ? new StandardConnectionStateErrorPolicy()
                                : new SessionConnectionStateErrorPolicy())
                .aclProvider(aclMode == AclMode.CREATOR_ONLY ? new CreatorOnlyAcl() : new DefaultACLProvider());
        if (!namespace.isEmpty()) {
            cb.namespace(namespace);
        }
        String user = b.digestUser;
        String password = b.digestPassword;
        if (user != null && password != null) {
            cb.authorization("digest", (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }
        ZKClientConfig clientConfig = new ZKClientConfig();
        TlsSettings tls = b.tls;
        if (tls != null) {
            tls.applyTo(clientConfig);
        }
        cb.zkClientConfig(clientConfig);
        this.curator = cb.build();
        this.access = new ZkAccess(curator, aclMode, retry, sessionTimeout, operationTimeout, threadFactory, ticker);
        curator.getConnectionStateListenable().addListener((client, newState) -> onCuratorState(newState));
    }

    /**
     * Starts building a coordinator.
     *
     * @param connectString ZooKeeper's connect string: {@code host:port} pairs separated by commas,
     *     e.g. {@code "zk1:2181,zk2:2181,zk3:2181"}; list every server of the ensemble
     * @return a builder
     */
    public static Builder builder(String connectString) {
        return new Builder(connectString);
    }

    /**
     * Starts connecting in the background. Returns at once; use {@link #awaitConnected(Duration)} to
     * wait for the first connection.
     *
     * @throws IllegalStateException if already started or closed
     */
    public void start() {
        io.statesync.core.internal.VersionGuard.verifyClassPath();
        lifecycle.start();
        synchronized (sessionLock) {
            disconnectedSince = ticker.read();
            disconnected = true;
        }
        curator.start();
    }

    /**
     * Waits until the client is connected (at once if it is).
     *
     * @param timeout how long to wait
     * @throws InterruptedException if interrupted while waiting
     * @throws OperationTimeoutException if not connected within the timeout; names the connect string
     * @throws IllegalStateException if not started, or closed
     */
    public void awaitConnected(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        lifecycle.requireStarted();
        if (!curator.blockUntilConnected(Math.toIntExact(Math.max(0, timeout.toMillis())), TimeUnit.MILLISECONDS)) {
            throw new OperationTimeoutException(
                    null, "not connected to ZooKeeper at " + connectString + " within " + timeout, null);
        }
    }

    /**
     * Whether the client is connected now.
     *
     * @return {@code true} if connected
     */
    public boolean isConnected() {
        return lifecycle.isStarted() && curator.getZookeeperClient().isConnected();
    }

    /**
     * The current ZooKeeper session id, or 0 if none is established.
     *
     * @return the session id
     */
    public long sessionId() {
        if (!lifecycle.isStarted()) {
            return 0;
        }
        try {
            return curator.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    /**
     * The lifecycle state.
     *
     * @return LATENT, STARTED or CLOSED
     */
    public LifecycleState state() {
        return lifecycle.state();
    }

    /**
     * Adds a connection listener that runs on the coordinator's listener executor.
     *
     * @param listener the listener; any {@link StateListener} is one
     */
    public void addListener(ConnectionListener listener) {
        listeners.add(listener);
    }

    /**
     * Adds a connection listener that runs on the given executor. With {@code Runnable::run} it is
     * called on ZooKeeper's event thread, in order with every other transition, and must not
     * block.
     *
     * @param listener the listener
     * @param executor where it runs
     */
    public void addListener(ConnectionListener listener, Executor executor) {
        listeners.add(listener, executor);
    }

    /**
     * Removes a connection listener. No call to it starts after this returns.
     *
     * @param listener the listener
     * @return {@code true} if it was registered
     */
    public boolean removeListener(ConnectionListener listener) {
        return listeners.remove(listener);
    }

    /**
     * The connect string this coordinator was built with.
     *
     * @return the connect string
     */
    public String connectString() {
        return connectString;
    }

    /**
     * The namespace every path of every recipe on this coordinator lives under, without the leading
     * {@code /}; empty for the root.
     *
     * @return the namespace
     */
    public String namespace() {
        return namespace;
    }

    /**
     * The session timeout requested from ZooKeeper (the server may negotiate it into its own
     * bounds).
     *
     * @return the session timeout
     */
    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    /**
     * The session timeout the servers granted for the current session (they bound every request to
     * their {@code minSessionTimeout} and {@code maxSessionTimeout}, by default 2 and 20 ticks), or
     * the requested {@link #sessionTimeout()} while no session is established. Every rule statesync
     * derives from the session timeout (a singleton task's stop deadline, a takeover delay) uses this
     * value.
     *
     * @return the negotiated session timeout
     */
    public Duration negotiatedSessionTimeout() {
        return access.sessionTimeout();
    }

    /**
     * The default deadline of every blocking call of every recipe on this coordinator (an update, a
     * read, an append, an offer...) that is not given a timeout of its own: past it the call throws
     * {@link OperationTimeoutException}, whose {@link OperationTimeoutException#outcome()} says
     * whether the operation may have taken effect.
     *
     * @return the operation timeout
     */
    public Duration operationTimeout() {
        return operationTimeout;
    }

    /**
     * The source of elapsed time that this coordinator and its recipes read for every deadline,
     * backoff, takeover delay, turn bound and claim expiry.
     *
     * @return the ticker given to {@link Builder#ticker(Ticker)}, else {@link Ticker#system()}
     */
    public Ticker ticker() {
        return ticker;
    }

    /**
     * Not API: the door through which statesync's own recipes reach ZooKeeper. It may change in any
     * release; applications use the recipes or {@link #curatorFramework()}.
     *
     * @return this coordinator's access
     */
    public ZkAccess internalAccess() {
        return access;
    }

    /**
     * What the listener-delivery engine of this coordinator's recipes reports for metrics (used by
     * the {@code statesync-micrometer} module). Not API: it may change in any release.
     *
     * @return the coordinator's telemetry
     */
    public io.statesync.core.internal.Telemetry internalTelemetry() {
        return telemetry;
    }

    /**
     * Not API: where this coordinator's recipes register themselves for {@link #recipes()}. It may
     * change in any release.
     *
     * @return the coordinator's recipe registry
     */
    public io.statesync.core.internal.RecipeRegistry internalRecipes() {
        return recipes;
    }

    /**
     * The policy that decides which connection transitions are losses.
     *
     * @return the policy
     */
    public ConnectionLossPolicy connectionLossPolicy() {
        return lossPolicy;
    }

    /**
     * Who may read and change the znodes this coordinator creates.
     *
     * @return the ACL mode
     */
    public AclMode aclMode() {
        return aclMode;
    }

    /**
     * The largest encoded value, in bytes, that recipes send; larger values are refused with {@link
     * ValueTooLargeException} before anything is sent.
     *
     * @return the limit in bytes
     */
    public int maxValueBytes() {
        return maxValueBytes;
    }

    /**
     * Refuses a value over {@link #maxValueBytes()}. Recipes call this before every write.
     *
     * @param path the path the value is meant for
     * @param data the encoded value
     * @throws ValueTooLargeException if it is over the limit
     */
    public void checkValueSize(String path, byte[] data) {
        if (data.length > maxValueBytes) {
            throw new ValueTooLargeException(path, data.length, maxValueBytes);
        }
    }

    /**
     * The retry policy for operations that fail on a dropped connection.
     *
     * @return the policy
     */
    public Retry retry() {
        return retry;
    }

    /**
     * The executor that runs listeners added without one: the one given to the builder, or a cached
     * pool of daemon threads named {@code statesync-listener-N} that the coordinator shuts down on
     * close.
     *
     * @return the listener executor
     */
    public Executor listenerExecutor() {
        return listenerExecutor;
    }

    /**
     * The escape hatch: the Curator client this coordinator runs on, for what statesync does not
     * cover. Its paths are relative to {@link #namespace()}. Writes through it bypass statesync's
     * path and size guards; closing it closes this coordinator's connection. The type is Curator's
     * and follows Curator's compatibility, not statesync's.
     *
     * @return the Curator client
     */
    public CuratorFramework curatorFramework() {
        return curator;
    }

    /**
     * Closes the session and stops listener delivery. Idempotent; never throws.
     *
     * <p>Ending the session is one request to the server, which deletes this client's ephemeral
     * nodes (its locks, leadership and memberships) at once. {@code close()} waits for that answer
     * for at most {@link #CLOSE_WAIT} (or the connection timeout, if shorter): behind a silent
     * partition no answer comes, and then the call returns anyway, the client's threads finish in
     * the background, and the server ends the session when the session timeout passes. An interrupt
     * ends the wait the same way, and the interrupt flag stays set.
     */
    @Override
    public void close() {
        LifecycleState previous = lifecycle.close();
        if (previous == LifecycleState.CLOSED) {
            return;
        }
        listeners.close();
        if (previous == LifecycleState.STARTED) {
            Thread closer = access.newThread("statesync-close-" + connectString, () -> {
                try {
                    curator.close();
                } catch (RuntimeException e) {
                    LOG.warn("closing the ZooKeeper client for {} failed", connectString, e);
                }
            });
            closer.start();
            Duration wait = connectionTimeout.compareTo(CLOSE_WAIT) < 0 ? connectionTimeout : CLOSE_WAIT;
            try {
                closer.join(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closer.isAlive()) {
                LOG.info(
                        "{}: the server did not confirm the end of session 0x{} within {}; it ends when the"
                                + " session timeout passes",
                        this,
                        Long.toHexString(lastSessionIdForLog()),
                        wait);
            }
        }
        ExecutorService owned = ownedExecutor;
        if (owned != null) {
            owned.shutdown();
        }
    }

    /**
     * How this coordinator's connection is doing, for a health check (see {@link Health} and {@code
     * docs/operations.md}, "Health and probes"):
     *
     * <ul>
     *   <li>{@link Health.Status#UP}: connected, with a session.
     *   <li>{@link Health.Status#DEGRADED}: started and connected before, now without a connection
     *       ({@code SUSPENDED}: the session may still be alive; {@code LOST}: a new session is being
     *       made) or connected to a read-only server, for at most {@link
     *       Builder#healthDownAfter(Duration) healthDownAfter}. Recipes serve their local copies;
     *       blocking calls wait up to their deadline.
     *   <li>{@link Health.Status#DOWN}: not started, closed, not connected yet since {@link #start()},
     *       or without a connection for longer than {@code healthDownAfter}.
     * </ul>
     *
     * <p>The details carry {@code connectString}, {@code namespace}, {@code connection} (the last
     * connection state, or {@code NONE}), {@code sessionId} (hex, while connected), {@code
     * sessionTimeoutMs} (the granted value while connected), {@code disconnectedMs} (while without a
     * connection) and {@code healthDownAfterMs}. The report is computed from state held in memory: the
     * call does no I/O and never blocks.
     *
     * @return the health report
     */
    public Health health() {
        java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("connectString", connectString);
        details.put("namespace", namespace);
        LifecycleState state = lifecycle.state();
        if (state == LifecycleState.LATENT) {
            details.put("connection", "NONE");
            return new Health(Health.Status.DOWN, "the coordinator is not started", details);
        }
        if (state == LifecycleState.CLOSED) {
            details.put("connection", "NONE");
            return new Health(Health.Status.DOWN, "the coordinator is closed", details);
        }
        ConnectionEvent.Kind kind;
        long since;
        boolean down;
        long session;
        synchronized (sessionLock) {
            kind = lastKind;
            since = disconnectedSince;
            down = disconnected;
            session = lastSessionId;
        }
        details.put("connection", kind == null ? "NONE" : kind.name());
        details.put("healthDownAfterMs", healthDownAfter.toMillis());
        if (!down) {
            details.put("sessionId", "0x" + Long.toHexString(session));
            details.put("sessionTimeoutMs", access.sessionTimeout().toMillis());
            return new Health(
                    Health.Status.UP, "connected to ZooKeeper, session 0x" + Long.toHexString(session), details);
        }
        Duration off = Duration.ofNanos(Math.max(0, ticker.read() - since));
        details.put("disconnectedMs", off.toMillis());
        String at = "ZooKeeper at " + connectString;
        if (kind == null) {
            return new Health(
                    Health.Status.DOWN,
                    "not connected to " + at + " yet, " + off.toMillis() + " ms after start",
                    details);
        }
        if (off.compareTo(healthDownAfter) > 0) {
            return new Health(
                    Health.Status.DOWN,
                    "without a connection to " + at + " for " + off.toMillis() + " ms, longer than healthDownAfter ("
                            + healthDownAfter.toMillis() + " ms)",
                    details);
        }
        String reason = switch (kind) {
            case SUSPENDED ->
                "connection to " + at + " suspended " + off.toMillis()
                        + " ms ago; the session may still be alive; recipes serve their local copies";
            case LOST ->
                "session lost " + off.toMillis() + " ms ago; reconnecting to " + at
                        + " with a new session; recipes serve their local copies";
            case READ_ONLY -> "connected to a read-only server of " + at + "; writes fail until a quorum is back";
            default -> "without a connection to " + at + " for " + off.toMillis() + " ms";
        };
        return new Health(Health.Status.DEGRADED, reason, details);
    }

    /**
     * The recipes built on this coordinator and not closed, in the order they were built, each with
     * its lifecycle state and its {@link Health}: {@code UP}, {@code DEGRADED} or {@code DOWN}, a
     * reason, and the recipe's live state in the details (a leader's epoch, the tokens of the locks
     * held, a log position, a queue's claims...).
     *
     * <p>A recipe's status is the worse of what it reports about itself and this coordinator's
     * {@link #health()}: while the coordinator is {@code DEGRADED} (without a connection, for at most
     * {@code healthDownAfter}) every recipe is at least {@code DEGRADED}, serving its local copy. A
     * recipe reports itself {@code DEGRADED} when something it gave the application no longer holds
     * (a lock handle lost and not yet closed) and {@code DOWN} when it stopped for good (an
     * event-sourced state halted on an event it could not apply). A recipe built and not started is
     * {@code DOWN}. A closed recipe is not listed, nor is one the application dropped without closing
     * once it was garbage-collected, nor the parts a recipe is built of (a replicated state's command
     * log, published state and election are reported in its own entry). The rules of each recipe are
     * in {@code docs/observability.md}, "Health of each recipe".
     *
     * <p>Computed from state held in memory, like {@link #health()}: the call does no I/O and does not
     * wait for the network. It may be called in any lifecycle state (after {@link #close()}, recipes
     * not yet closed are reported {@code DOWN}).
     *
     * @return the reports, one per live recipe; an unmodifiable snapshot
     */
    public List<RecipeReport> recipes() {
        return List.copyOf(recipes.reports(health()));
    }

    @Override
    public String toString() {
        return "Coordinator{" + connectString + (namespace.isEmpty() ? "" : "/" + namespace) + ", " + lifecycle.state()
                + '}';
    }

    /**
     * Has Curator create the namespace's znode now, while connected, on a thread of the coordinator:
     * Curator does it in a retrying foreground call on the first namespaced call, which during a
     * partition would hold whichever caller came first for minutes. A failure is retried by Curator
     * on its next namespaced call.
     */
    private void setUpNamespace() {
        // Through the coordinator's own access, not Curator's namespaced facade: the facade's
        // namespace check logs an ERROR of its own when the coordinator closes meanwhile.
        access.newThread("statesync-namespace-" + namespace, () -> {
                    try {
                        Deadline deadline = access.defaultDeadline();
                        String full = access.fullPath("/");
                        for (int end = full.indexOf('/', 1); ; end = full.indexOf('/', end + 1)) {
                            String node = end < 0 ? full : full.substring(0, end);
                            ZkAccess.Reply r = access.call(
                                    deadline,
                                    "/",
                                    "namespace",
                                    OperationTimeoutException.Outcome.UNKNOWN,
                                    zk -> access.create(zk, node, new byte[0], CreateMode.PERSISTENT));
                            if (!r.ok() && r.rc() != KeeperException.Code.NODEEXISTS.intValue()) {
                                throw ZkAccess.error(r.rc(), node);
                            }
                            if (end < 0) {
                                break;
                            }
                        }
                    } catch (RuntimeException e) {
                        LOG.debug("{}: setting up the namespace failed; retried on first use", this, e);
                    }
                })
                .start();
    }

    private long lastSessionIdForLog() {
        synchronized (sessionLock) {
            return lastSessionId;
        }
    }

    private void onCuratorState(ConnectionState newState) {
        ConnectionEvent.Kind kind = switch (newState) {
            case CONNECTED -> ConnectionEvent.Kind.CONNECTED;
            case SUSPENDED -> ConnectionEvent.Kind.SUSPENDED;
            case RECONNECTED -> ConnectionEvent.Kind.RECONNECTED;
            case LOST -> ConnectionEvent.Kind.LOST;
            case READ_ONLY -> ConnectionEvent.Kind.READ_ONLY;
        };
        if (kind == ConnectionEvent.Kind.CONNECTED
                && !namespace.isEmpty()
                && namespaceSetUp.compareAndSet(false, true)) {
            setUpNamespace();
        }
        long current = kind == ConnectionEvent.Kind.LOST ? 0 : sessionId();
        long sid;
        boolean newSession;
        synchronized (sessionLock) {
            newSession = (kind == ConnectionEvent.Kind.CONNECTED || kind == ConnectionEvent.Kind.RECONNECTED)
                    && current != lastSessionId;
            // A loss is reported with the session that was lost, so that the line can be matched to
            // the server's "Expiring session" line.
            sid = kind == ConnectionEvent.Kind.LOST || current == 0 ? lastSessionId : current;
            if (kind == ConnectionEvent.Kind.LOST) {
                lastSessionId = 0;
            } else if (newSession) {
                lastSessionId = current;
            }
            boolean connected = kind == ConnectionEvent.Kind.CONNECTED || kind == ConnectionEvent.Kind.RECONNECTED;
            if (connected) {
                disconnected = false;
            } else if (!disconnected) {
                disconnectedSince = ticker.read();
                disconnected = true;
            }
            lastKind = kind;
        }
        ConnectionEvent event = new ConnectionEvent(kind, sid, newSession, lossPolicy.isLoss(kind));
        if (newSession) {
            Duration granted = access.sessionTimeout();
            if (granted.equals(sessionTimeout)) {
                LOG.info("{}: {}, session timeout {}", this, event, granted);
            } else if (granted.compareTo(sessionTimeout) > 0) {
                // The server raised the request to its minSessionTimeout: 2 ticks unless configured,
                // shorter than the syncLimit ticks the ensemble takes to notice a cut-off server.
                LOG.warn(
                        "{}: {}, session timeout {} requested, raised by the server to {}, its minimum"
                                + " (minSessionTimeout, 2 × tickTime unless set, so tickTime is probably {}). A"
                                + " session timeout at the servers' minimum is shorter than the syncLimit × tickTime"
                                + " the ensemble takes to notice a server cut off from its leader (about 10 s with"
                                + " tickTime 2 s and syncLimit 5): in a partition this client can lose sessions the"
                                + " servers still hold. Ask for more than syncLimit × tickTime plus a few seconds"
                                + " (docs/operations.md, \"Session timeout\")",
                        this,
                        event,
                        sessionTimeout,
                        granted,
                        granted.dividedBy(2));
            } else {
                LOG.info(
                        "{}: {}, session timeout {} as granted by the server ({} requested)",
                        this,
                        event,
                        granted,
                        sessionTimeout);
            }
        } else {
            LOG.info("{}: {}", this, event);
        }
        listeners.publish(event, l -> l.onConnection(event));
    }

    private static org.apache.curator.RetryPolicy toCurator(Retry retry) {
        if (retry.maxRetries() == 0) {
            return new RetryNTimes(0, 0);
        }
        return new BoundedExponentialBackoffRetry(
                Math.toIntExact(retry.baseSleep().toMillis()),
                Math.toIntExact(retry.maxSleep().toMillis()),
                retry.maxRetries());
    }

    private static ThreadFactory daemonThreads(ThreadFactory factory, String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread t = factory.newThread(runnable);
            t.setName(prefix + "-" + counter.incrementAndGet());
            if (!t.isDaemon()) {
                t.setDaemon(true);
            }
            return t;
        };
    }

    private static final class CreatorOnlyAcl implements ACLProvider {
        @Override
        public List<ACL> getDefaultAcl() {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }

        @Override
        public List<ACL> getAclForPath(String path) {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }
    }

    /**
     * Builds a {@link Coordinator}. Every option has a documented default; each setter may be called
     * once (a second call is a configuration mistake and throws {@link IllegalStateException}).
     * {@link #build()} validates the whole configuration and names the option at fault.
     */
    public static final class Builder {
        private final String connectString;
        private final BuilderOptions options = new BuilderOptions();
        private String namespace = "statesync";
        private Duration sessionTimeout = Duration.ofSeconds(30);
        private @Nullable Duration connectionTimeout;
        private @Nullable Duration operationTimeout;
        private @Nullable Duration healthDownAfter;
        private @Nullable ThreadFactory threadFactory;
        private Retry retry = Retry.defaults();
        private ConnectionLossPolicy lossPolicy = ConnectionLossPolicy.ON_SUSPENDED;
        private AclMode aclMode = AclMode.OPEN;
        private @Nullable String digestUser;
        private @Nullable String digestPassword;
        private @Nullable TlsSettings tls;
        private int maxValueBytes = 1_000_000;
        private @Nullable Executor listenerExecutor;
        private @Nullable Ticker ticker;

        private Builder(String connectString) {
            this.connectString = Objects.requireNonNull(connectString, "connectString");
        }

        /**
         * The namespace every recipe's paths live under, without the leading {@code /} (default
         * {@code statesync}; the empty string for the root). Created on first use.
         *
         * @param namespace e.g. {@code "orders"} or {@code "teams/orders"}
         * @return this builder
         */
        public Builder namespace(String namespace) {
            options.once("namespace");
            this.namespace = Objects.requireNonNull(namespace, "namespace");
            return this;
        }

        /**
         * The session timeout (default 30 s): how long the server keeps the session, its ephemeral
         * nodes and therefore its locks and leadership, after it last heard from this client. Between
         * 1 s and 10 min; the server may narrow it to its own bounds (2 to 20 ticks).
         *
         * @param timeout the session timeout
         * @return this builder
         */
        public Builder sessionTimeout(Duration timeout) {
            options.once("sessionTimeout");
            this.sessionTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How long {@link Coordinator#start()}'s first connection and each reconnection may take
         * before an operation waiting for it fails (default: the session timeout, at most 10 s); at
         * most the session timeout.
         *
         * @param timeout the connection timeout
         * @return this builder
         */
        public Builder connectionTimeout(Duration timeout) {
            options.once("connectionTimeout");
            this.connectionTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * The default deadline of every blocking call of the recipes built on this coordinator that
         * is not given a timeout of its own (default: the session timeout, so a call rides out a
         * disconnection exactly as long as the session can). Between 10 ms and 1 h.
         *
         * @param timeout the operation timeout
         * @return this builder
         */
        public Builder operationTimeout(Duration timeout) {
            options.once("operationTimeout");
            this.operationTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How long {@link Coordinator#health()} reports a coordinator without a connection as
         * {@link Health.Status#DEGRADED} before it reports {@link Health.Status#DOWN} (default: twice
         * the session timeout, by when the session has certainly expired and a new one has had as long
         * again to be made). A ZooKeeper blip shorter than this never turns a health check DOWN.
         * Between 1 s and 1 h.
         *
         * @param limit how long a disconnection is DEGRADED
         * @return this builder
         */
        public Builder healthDownAfter(Duration limit) {
            options.once("healthDownAfter");
            this.healthDownAfter = Objects.requireNonNull(limit, "limit");
            return this;
        }

        /**
         * Where every thread statesync starts for this coordinator comes from: Curator's and
         * ZooKeeper's event handling, the listener pool, recipes' loops, tasks and timers (default:
         * {@code Thread::new}). statesync names each thread ({@code statesync-...}) and marks it a
         * daemon; a factory of virtual threads ({@code Thread.ofVirtual().factory()} on Java 21) or
         * one that carries context (MDC) works as well.
         *
         * <p>The ZooKeeper client's own two I/O threads are made by ZooKeeper and do not come from
         * here.
         *
         * @param factory the thread factory
         * @return this builder
         */
        public Builder threadFactory(ThreadFactory factory) {
            options.once("threadFactory");
            this.threadFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * How operations retry on a dropped connection (default {@link Retry#defaults()}).
         *
         * @param retry the policy
         * @return this builder
         */
        public Builder retry(Retry retry) {
            options.once("retry");
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /**
         * Which transitions make holders give up (default {@link ConnectionLossPolicy#ON_SUSPENDED}).
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder connectionLossPolicy(ConnectionLossPolicy policy) {
            options.once("connectionLossPolicy");
            this.lossPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Authenticates the session with ZooKeeper's digest scheme.
         *
         * @param user the user name; not empty, no {@code ':'}
         * @param password the password; not empty
         * @return this builder
         */
        public Builder digestAuthentication(String user, String password) {
            options.once("digestAuthentication");
            this.digestUser = Objects.requireNonNull(user, "user");
            this.digestPassword = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * Who may read and change the znodes this coordinator creates (default {@link
         * AclMode#OPEN}). {@link AclMode#CREATOR_ONLY} needs {@link #digestAuthentication}.
         *
         * @param mode the ACL mode
         * @return this builder
         */
        public Builder aclMode(AclMode mode) {
            options.once("aclMode");
            this.aclMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Connects over TLS (default: plain TCP).
         *
         * @param settings the client TLS settings
         * @return this builder
         */
        public Builder tls(TlsSettings settings) {
            options.once("tls");
            this.tls = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * The largest encoded value recipes may send, in bytes (default 1,000,000, under ZooKeeper's
         * default {@code jute.maxbuffer} of 1,048,575 bytes with room for the path and headers).
         * Raise it only together with the servers' and clients' {@code jute.maxbuffer}.
         *
         * @param bytes the limit, 1 to 104,857,600
         * @return this builder
         */
        public Builder maxValueBytes(int bytes) {
            options.once("maxValueBytes");
            this.maxValueBytes = bytes;
            return this;
        }

        /**
         * The executor for listeners added without one (default: a cached pool of daemon threads,
         * shut down on close). Given executors are not shut down by the coordinator.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder listenerExecutor(Executor executor) {
            options.once("listenerExecutor");
            this.listenerExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The source of elapsed time for every time-dependent rule of the coordinator and its
         * recipes (default: {@link Ticker#system()}, {@code System.nanoTime()}). Tests give a
         * ticker they advance by hand; see {@link Ticker} for what a fake ticker does and does not
         * change.
         *
         * @param ticker the ticker; it must be thread-safe and never go backwards
         * @return this builder
         * @throws NullPointerException if {@code ticker} is {@code null}
         * @throws IllegalStateException if called twice on this builder
         */
        public Builder ticker(Ticker ticker) {
            options.once("ticker");
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Validates the configuration and builds the coordinator, not yet started. Nothing touches
         * the network.
         *
         * @return the coordinator
         * @throws IllegalArgumentException naming the option and value at fault
         */
        public Coordinator build() {
            validateConnectString(connectString);
            ZPaths.validateNamespace(namespace);
            if (sessionTimeout.compareTo(Duration.ofSeconds(1)) < 0
                    || sessionTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException(
                        "sessionTimeout must be between 1s and 10min, was " + sessionTimeout);
            }
            Duration connection = effectiveConnectionTimeout();
            if (connection.toMillis() < 100) {
                throw new IllegalArgumentException("connectionTimeout must be at least 100ms, was " + connection);
            }
            if (connection.compareTo(sessionTimeout) > 0) {
                throw new IllegalArgumentException(
                        "connectionTimeout " + connection + " is longer than sessionTimeout " + sessionTimeout);
            }
            Duration operation = effectiveOperationTimeout();
            if (operation.toMillis() < 10 || operation.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("operationTimeout must be between 10ms and 1h, was " + operation);
            }
            Duration down = effectiveHealthDownAfter();
            if (down.compareTo(Duration.ofSeconds(1)) < 0 || down.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("healthDownAfter must be between 1s and 1h, was " + down);
            }
            if (maxValueBytes < 1 || maxValueBytes > MAX_VALUE_LIMIT) {
                throw new IllegalArgumentException(
                        "maxValueBytes must be between 1 and " + MAX_VALUE_LIMIT + ", was " + maxValueBytes);
            }
            String user = digestUser;
            String password = digestPassword;
            if (user != null && password != null) {
                if (user.isEmpty() || user.indexOf(':') >= 0) {
                    throw new IllegalArgumentException(
                            "digest user must be non-empty and contain no ':', was \"" + user + '"');
                }
                if (password.isEmpty()) {
                    throw new IllegalArgumentException("digest password for user \"" + user + "\" is empty");
                }
            } else if (aclMode == AclMode.CREATOR_ONLY) {
                throw new IllegalArgumentException(
                        "aclMode CREATOR_ONLY needs credentials: call digestAuthentication(user, password)");
            }
            return new Coordinator(this);
        }

        private Duration effectiveConnectionTimeout() {
            Duration given = connectionTimeout;
            if (given != null) {
                return given;
            }
            Duration cap = Duration.ofSeconds(10);
            return sessionTimeout.compareTo(cap) < 0 ? sessionTimeout : cap;
        }

        private Duration effectiveHealthDownAfter() {
            Duration given = healthDownAfter;
            return given != null ? given : sessionTimeout.multipliedBy(2);
        }

        private Duration effectiveOperationTimeout() {
            Duration given = operationTimeout;
            return given != null ? given : sessionTimeout;
        }

        private static void validateConnectString(String connectString) {
            String hosts = connectString;
            int chroot = connectString.indexOf('/');
            if (chroot >= 0) {
                ZPaths.validate(connectString.substring(chroot));
                hosts = connectString.substring(0, chroot);
            }
            if (hosts.isBlank()) {
                throw new IllegalArgumentException("connect string is empty; expected host:port[,host:port...]");
            }
            for (String entry : hosts.split(",", -1)) {
                String hostPort = entry.trim();
                int colon = hostPort.lastIndexOf(':');
                if (hostPort.isEmpty() || colon <= 0 || colon == hostPort.length() - 1) {
                    throw new IllegalArgumentException(
                            "connect string \"" + connectString + "\": entry \"" + entry + "\" is not host:port");
                }
                int port;
                try {
                    port = Integer.parseInt(hostPort.substring(colon + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "connect string \"" + connectString + "\": port of \"" + entry + "\" is not a number", e);
                }
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException(
                            "connect string \"" + connectString + "\": port " + port + " is out of range");
                }
            }
        }
    }
}
