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
package io.statesync.demo;

import io.statesync.core.Coordinator;
import io.statesync.testkit.Faults;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the steps of the tour share: the ZooKeeper they run on, the console they narrate on, the
 * nodes, and one way to wait for something to happen.
 *
 * <p>Waits are woken by the tour's own listeners (every node's coordinator, membership, config,
 * ledger, replicated state and task call {@link #changed()}), not by polling; a wait re-checks its
 * condition at the latest every {@link #RECHECK} for the states no listener announces (a lock
 * handle or a queue claim that a node marks lost while handling its own connection event).
 */
final class Tour {
    /** How long any one wait of a step may take. */
    static final Duration WAIT = Duration.ofSeconds(20);

    /** The longest a wait sleeps without a notification before it checks its condition again. */
    static final Duration RECHECK = Duration.ofMillis(200);

    final Console console;
    final String connectString;
    final String namespace;
    final Duration sessionTimeout;
    final Duration connectionTimeout;
    final List<TourNode> nodes = new CopyOnWriteArrayList<>();
    private final Object changes = new Object();

    Tour(Console console, String connectString, String namespace, Duration sessionTimeout, Duration connectionTimeout) {
        this.console = console;
        this.connectString = connectString;
        this.namespace = namespace;
        this.sessionTimeout = sessionTimeout;
        this.connectionTimeout = connectionTimeout;
    }

    /**
     * Connects a new node (its own coordinator and session); the caller adds it to {@link #nodes}.
     *
     * @param id the node's name
     * @return the node, connected
     * @throws InterruptedException if interrupted while connecting
     */
    TourNode connect(String id) throws InterruptedException {
        Coordinator c = ConnectOptions.connect(connectString, namespace, sessionTimeout, connectionTimeout);
        console.event(id + " connected (session 0x" + Long.toHexString(c.sessionId()) + ")");
        return new TourNode(this, id, c);
    }

    /**
     * Ends a node's session on the server, as the server does for a node that crashed or froze past
     * its session timeout; the node hears of it on its next heartbeat.
     *
     * @param node the node
     * @throws Exception if the session could not be expired within {@link #WAIT}
     */
    void expire(TourNode node) throws Exception {
        Faults.expireSession(
                node.coordinator.curatorFramework().getZookeeperClient().getZooKeeper(), connectString, WAIT);
    }

    TourNode byId(String id) {
        return nodes.stream().filter(n -> n.id.equals(id)).findFirst().orElseThrow();
    }

    /** Called by the tour's listeners: something a step may wait for has happened. */
    void changed() {
        synchronized (changes) {
            changes.notifyAll();
        }
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @param what what is awaited, for the error
     * @param condition the condition
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException naming {@code what} if it does not hold within {@link #WAIT}
     */
    void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (changes) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(
                            "timed out after " + DurationConverter.show(WAIT) + " waiting for " + what);
                }
                TimeUnit.NANOSECONDS.timedWait(changes, Math.min(left, RECHECK.toNanos()));
            }
        }
    }

    /** Closes every node, the last connected first. */
    void closeAll() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        nodes.clear();
    }

    static void check(boolean condition, String failure) {
        if (!condition) {
            throw new IllegalStateException(failure);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
