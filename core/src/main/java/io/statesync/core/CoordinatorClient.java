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

import io.statesync.core.internal.Lifecycle;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.ServerSilence;
import io.statesync.core.internal.VersionGuard;
import io.statesync.core.internal.ZkAccess;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.jspecify.annotations.Nullable;

/**
 * The running part of a {@link Coordinator}: its lifecycle, its Curator client and the {@link
 * ZkAccess} over it, its connection listeners and {@link ConnectionTracker}, and the listener pool
 * it owns when given no executor. Started, awaited and closed here; the coordinator delegates.
 * Thread-safe.
 */
final class CoordinatorClient {
    private final String connectString;
    private final Duration connectionTimeout;
    private final CuratorFramework curator;
    private final ZkAccess access;
    private final Executor listenerExecutor;
    private final @Nullable ExecutorService ownedExecutor;
    private final ListenerSet<ConnectionListener> listeners;
    private final Lifecycle lifecycle;
    private final ConnectionTracker connection;

    /**
     * Builds the client of {@code owner}, not started; nothing touches the network.
     *
     * @param owner the coordinator, named in log lines
     * @param s its settings, validated
     * @param ticker its ticker
     */
    CoordinatorClient(Coordinator owner, CoordinatorSettings s, Ticker ticker) {
        this.connectString = s.connectString;
        this.connectionTimeout = BuilderChecks.connectionTimeout(s);
        ThreadFactory givenThreads = s.threadFactory;
        ThreadFactory threadFactory = givenThreads != null ? givenThreads : Thread::new;
        Executor given = s.listenerExecutor;
        this.ownedExecutor = given == null ? CuratorClients.listenerPool(threadFactory) : null;
        this.listenerExecutor = given != null ? given : Objects.requireNonNull(ownedExecutor);
        this.listeners = new ListenerSet<>("Coordinator " + connectString, listenerExecutor);
        this.lifecycle = new Lifecycle("Coordinator for " + connectString);

        ServerSilence silence = new ServerSilence(s.lossPolicy, s.sessionTimeout, threadFactory);
        this.curator = CuratorClients.build(s, connectionTimeout, threadFactory, silence.zookeeperFactory());
        this.access = new ZkAccess(
                curator,
                s.aclMode,
                s.retry,
                s.sessionTimeout,
                BuilderChecks.operationTimeout(s),
                threadFactory,
                ticker,
                silence);
        this.connection = new ConnectionTracker(
                owner,
                connectString,
                s.namespace,
                s.sessionTimeout,
                BuilderChecks.healthDownAfter(s),
                s.lossPolicy,
                access,
                this::sessionId,
                event -> listeners.publish(event, l -> l.onConnection(event)));
        curator.getConnectionStateListenable().addListener((client, newState) -> connection.onCuratorState(newState));
    }

    /** See {@link Coordinator#start()}. */
    void start() {
        VersionGuard.verifyClassPath();
        lifecycle.start();
        connection.started();
        curator.start();
        access.silence().start();
    }

    /** See {@link Coordinator#awaitConnected(Duration)}. */
    void awaitConnected(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        lifecycle.requireStarted();
        if (!curator.blockUntilConnected(Math.toIntExact(Math.max(0, timeout.toMillis())), TimeUnit.MILLISECONDS)) {
            throw new OperationTimeoutException(
                    null, "not connected to ZooKeeper at " + connectString + " within " + timeout, null);
        }
    }

    /** See {@link Coordinator#isConnected()}. */
    boolean isConnected() {
        return lifecycle.isStarted() && curator.getZookeeperClient().isConnected();
    }

    /** See {@link Coordinator#sessionId()}. */
    long sessionId() {
        if (!lifecycle.isStarted()) {
            return 0;
        }
        try {
            return curator.getZookeeperClient().getZooKeeper().getSessionId();
        } catch (Exception e) {
            return 0;
        }
    }

    LifecycleState state() {
        return lifecycle.state();
    }

    ListenerSet<ConnectionListener> listeners() {
        return listeners;
    }

    ZkAccess access() {
        return access;
    }

    Executor listenerExecutor() {
        return listenerExecutor;
    }

    CuratorFramework curator() {
        return curator;
    }

    /** See {@link Coordinator#health()}. */
    Health health() {
        return connection.health(lifecycle.state());
    }

    /** See {@link Coordinator#close()}. */
    void close() {
        LifecycleState previous = lifecycle.close();
        if (previous == LifecycleState.CLOSED) {
            return;
        }
        listeners.close();
        access.silence().close();
        if (previous == LifecycleState.STARTED) {
            Duration wait = Coordinator.CLOSE_WAIT;
            connection.closeClient(curator, connectionTimeout.compareTo(wait) < 0 ? connectionTimeout : wait);
        }
        ExecutorService owned = ownedExecutor;
        if (owned != null) {
            owned.shutdown();
        }
    }
}
