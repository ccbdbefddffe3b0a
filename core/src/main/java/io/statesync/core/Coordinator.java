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
import io.statesync.core.internal.ZkAccess;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.apache.curator.framework.CuratorFramework;

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
    /**
     * The longest {@link #close()} waits for the server to confirm the end of the session: 2 s.
     */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final String connectString;
    private final String namespace;
    private final Duration sessionTimeout;
    private final Duration operationTimeout;
    private final Ticker ticker;
    private final io.statesync.core.internal.Telemetry telemetry;
    private final io.statesync.core.internal.RecipeRegistry recipes = new io.statesync.core.internal.RecipeRegistry();
    private final ConnectionLossPolicy lossPolicy;
    private final AclMode aclMode;
    private final int maxValueBytes;
    private final Retry retry;
    private final CoordinatorClient client;

    private Coordinator(CoordinatorSettings s) {
        this.connectString = s.connectString;
        this.namespace = s.namespace;
        Ticker givenTicker = s.ticker;
        this.ticker = givenTicker != null ? givenTicker : Ticker.system();
        this.telemetry = new io.statesync.core.internal.Telemetry(ticker);
        this.sessionTimeout = s.sessionTimeout;
        this.operationTimeout = BuilderChecks.operationTimeout(s);
        this.lossPolicy = s.lossPolicy;
        this.aclMode = s.aclMode;
        this.maxValueBytes = s.maxValueBytes;
        this.retry = s.retry;
        this.client = new CoordinatorClient(this, s, ticker);
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
        client.start();
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
        client.awaitConnected(timeout);
    }

    /**
     * Whether the client is connected now.
     *
     * @return {@code true} if connected
     */
    public boolean isConnected() {
        return client.isConnected();
    }

    /**
     * The current ZooKeeper session id, or 0 if none is established.
     *
     * @return the session id
     */
    public long sessionId() {
        return client.sessionId();
    }

    /**
     * The lifecycle state.
     *
     * @return LATENT, STARTED or CLOSED
     */
    public LifecycleState state() {
        return client.state();
    }

    /**
     * Adds a connection listener that runs on the coordinator's listener executor.
     *
     * @param listener the listener; any {@link StateListener} is one
     */
    public void addListener(ConnectionListener listener) {
        client.listeners().add(listener);
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
        client.listeners().add(listener, executor);
    }

    /**
     * Removes a connection listener. No call to it starts after this returns.
     *
     * @param listener the listener
     * @return {@code true} if it was registered
     */
    public boolean removeListener(ConnectionListener listener) {
        return client.listeners().remove(listener);
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
        return client.access().sessionTimeout();
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
        return client.access();
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
        return client.listenerExecutor();
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
        return client.curator();
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
        client.close();
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
     * connection), {@code healthDownAfterMs} and {@code serverSilentMs} (how long since a server last
     * replied, read from the ZooKeeper client's receive clock; absent before the first connection).
     * Once {@code serverSilentMs} passes the loss policy's limit (the connection's read timeout, two
     * thirds of the negotiated session timeout, under {@code ON_SUSPENDED}; the negotiated session
     * timeout under {@code ON_LOST}), lock handles turn invalid and a leader's task stops, also before
     * the client has reported the loss (see {@code docs/reliability.md}, "The pause window"). The
     * report is computed from state held in memory (the silence is a field of the ZooKeeper client
     * read in place): the call does no I/O and never blocks.
     *
     * @return the health report
     */
    public Health health() {
        return client.health();
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
        return "Coordinator{" + connectString + (namespace.isEmpty() ? "" : "/" + namespace) + ", " + client.state()
                + '}';
    }

    /**
     * Builds a {@link Coordinator}. Every option has a documented default; each setter may be called
     * once (a second call is a configuration mistake and throws {@link IllegalStateException}).
     * {@link #build()} validates the whole configuration and names the option at fault.
     */
    public static final class Builder {
        private final BuilderOptions options = new BuilderOptions();
        private final CoordinatorSettings config;

        private Builder(String connectString) {
            this.config = new CoordinatorSettings(connectString);
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
            config.namespace = Objects.requireNonNull(namespace, "namespace");
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
            config.sessionTimeout = Objects.requireNonNull(timeout, "timeout");
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
            config.connectionTimeout = Objects.requireNonNull(timeout, "timeout");
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
            config.operationTimeout = Objects.requireNonNull(timeout, "timeout");
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
            config.healthDownAfter = Objects.requireNonNull(limit, "limit");
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
            config.threadFactory = Objects.requireNonNull(factory, "factory");
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
            config.retry = Objects.requireNonNull(retry, "retry");
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
            config.lossPolicy = Objects.requireNonNull(policy, "policy");
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
            config.digestUser = Objects.requireNonNull(user, "user");
            config.digestPassword = Objects.requireNonNull(password, "password");
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
            config.aclMode = Objects.requireNonNull(mode, "mode");
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
            config.tls = Objects.requireNonNull(settings, "settings");
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
            config.maxValueBytes = bytes;
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
            config.listenerExecutor = Objects.requireNonNull(executor, "executor");
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
            config.ticker = Objects.requireNonNull(ticker, "ticker");
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
            BuilderChecks.validate(config);
            return new Coordinator(config);
        }
    }
}
