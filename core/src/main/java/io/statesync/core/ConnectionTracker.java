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

import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZkAccess;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator's connection as it goes: Curator's connection states turned into {@link
 * ConnectionEvent}s (with the session they concern, whether it is new, whether the policy counts
 * them as a loss), logged once each and handed to the coordinator's listeners; the state its
 * {@link Coordinator#health()} is computed from; the namespace's znode created on the first
 * connection. Thread-safe: the state is guarded by {@link #lock}.
 */
final class ConnectionTracker {
    private static final Logger LOG = LoggerFactory.getLogger(Coordinator.class);

    private final Coordinator owner;
    private final String connectString;
    private final String namespace;
    private final Duration sessionTimeout;
    private final Duration healthDownAfter;
    private final ConnectionLossPolicy lossPolicy;
    private final ZkAccess access;
    private final Ticker ticker;
    private final LongSupplier currentSession;
    private final Consumer<ConnectionEvent> publish;
    private final AtomicBoolean namespaceSetUp = new AtomicBoolean();

    private final Object lock = new Object();
    // Guarded by lock: the session of the last connection (0 after a loss); the last connection
    // state seen (null before the first), and since when (a ticker reading) the client has been
    // without a connection, meaningful only while disconnected is true.
    private long lastSessionId;
    private ConnectionEvent.@Nullable Kind lastKind;
    private long disconnectedSince;
    private boolean disconnected;

    ConnectionTracker(
            Coordinator owner,
            String connectString,
            String namespace,
            Duration sessionTimeout,
            Duration healthDownAfter,
            ConnectionLossPolicy lossPolicy,
            ZkAccess access,
            LongSupplier currentSession,
            Consumer<ConnectionEvent> publish) {
        this.owner = owner;
        this.connectString = connectString;
        this.namespace = namespace;
        this.sessionTimeout = sessionTimeout;
        this.healthDownAfter = healthDownAfter;
        this.lossPolicy = lossPolicy;
        this.access = access;
        this.ticker = access.ticker();
        this.currentSession = currentSession;
        this.publish = publish;
    }

    /** The coordinator starts: without a connection from now. */
    void started() {
        synchronized (lock) {
            disconnectedSince = ticker.read();
            disconnected = true;
        }
    }

    long lastSessionId() {
        synchronized (lock) {
            return lastSessionId;
        }
    }

    void onCuratorState(ConnectionState newState) {
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
        long current = kind == ConnectionEvent.Kind.LOST ? 0 : currentSession.getAsLong();
        long sid;
        boolean newSession;
        synchronized (lock) {
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
            logNewSession(event);
        } else {
            LOG.info("{}: {}", owner, event);
        }
        publish.accept(event);
    }

    private void logNewSession(ConnectionEvent event) {
        Duration granted = access.sessionTimeout();
        if (granted.equals(sessionTimeout)) {
            LOG.info("{}: {}, session timeout {}", owner, event, granted);
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
                    owner,
                    event,
                    sessionTimeout,
                    granted,
                    granted.dividedBy(2));
        } else {
            LOG.info(
                    "{}: {}, session timeout {} as granted by the server ({} requested)",
                    owner,
                    event,
                    granted,
                    sessionTimeout);
        }
    }

    /**
     * Closes the client on a thread of the coordinator, which deletes the session's ephemeral nodes
     * at once, waiting at most {@code wait} for the server's answer; past it the session ends when its
     * timeout passes. An interrupt ends the wait the same way, the flag kept.
     */
    void closeClient(CuratorFramework curator, Duration wait) {
        Thread closer = access.newThread("statesync-close-" + connectString, () -> {
            try {
                curator.close();
            } catch (RuntimeException e) {
                LOG.warn("closing the ZooKeeper client for {} failed", connectString, e);
            }
        });
        closer.start();
        try {
            closer.join(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            LOG.info(
                    "{}: the server did not confirm the end of session 0x{} within {}; it ends when the"
                            + " session timeout passes",
                    owner,
                    Long.toHexString(lastSessionId()),
                    wait);
        }
    }

    /** The report of {@link Coordinator#health()}, for a coordinator in {@code state}. */
    Health health(LifecycleState state) {
        java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("connectString", connectString);
        details.put("namespace", namespace);
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
        synchronized (lock) {
            kind = lastKind;
            since = disconnectedSince;
            down = disconnected;
            session = lastSessionId;
        }
        details.put("connection", kind == null ? "NONE" : kind.name());
        details.put("healthDownAfterMs", healthDownAfter.toMillis());
        long silent = access.silence().silentMillis();
        if (silent >= 0) {
            details.put("serverSilentMs", silent);
        }
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
                        LOG.debug("{}: setting up the namespace failed; retried on first use", owner, e);
                    }
                })
                .start();
    }
}
