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
package io.statesync.core.testing;

import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.testkit.Faults;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.zookeeper.data.Stat;

/**
 * Coordinators for the tests of modules built on statesync ("nodes"), on the test kit's server,
 * closed in reverse order after each test, and a pool for the test's concurrent work, stopped
 * first.
 *
 * <p>The one way a test makes a coordinator: {@link #connect(String, UnaryOperator)} (closed after
 * the test with everything else registered here), or {@link #open(ZooKeeperExtension, String,
 * UnaryOperator)} and {@link #open(Coordinator.Builder)} for a test that closes its coordinators
 * itself (try-with-resources, its own {@code @AfterEach}). Each starts the coordinator and waits up
 * to {@link #CONNECT_WAIT} for its first connection; a test's own settings (session, operation and
 * connection timeouts, loss policy, retry, ticker, ...) are applied to a builder that has only the
 * connect string and the test's namespace, so a coordinator built here has the library's defaults
 * for everything the test does not set.
 *
 * <p>{@code connect} and {@link #closeLater} may be called from the test's background threads;
 * {@link #close()} is called once, by the test's thread, after the test.
 */
public final class TestNodes implements AutoCloseable {
    /** How long each way of connecting here waits for the coordinator's first connection. */
    public static final Duration CONNECT_WAIT = Duration.ofSeconds(10);

    private final ZooKeeperExtension zk;
    private final List<AutoCloseable> closeables = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService background = Executors.newCachedThreadPool();

    /**
     * Nodes on the given server, in its namespace.
     *
     * @param zk the test's server
     */
    public TestNodes(ZooKeeperExtension zk) {
        this.zk = zk;
    }

    /**
     * Threads for a test's concurrent work (holders, waiters), interrupted when the nodes close.
     *
     * @return the executor
     */
    public ExecutorService background() {
        return background;
    }

    /**
     * A started coordinator on the server, session timeout 20 s, operation timeout 20 s.
     *
     * @return the connected coordinator, closed after the test
     * @throws InterruptedException if interrupted while connecting
     */
    public Coordinator connect() throws InterruptedException {
        return connect(zk.connectString(), Duration.ofSeconds(20));
    }

    /**
     * A started coordinator on the given servers (e.g. a TcpProxy's), session timeout 20 s.
     *
     * @param connectString where to connect
     * @param operationTimeout the coordinator's operation timeout
     * @return the connected coordinator, closed after the test
     * @throws InterruptedException if interrupted while connecting
     */
    public Coordinator connect(String connectString, Duration operationTimeout) throws InterruptedException {
        return connect(
                connectString,
                b -> b.sessionTimeout(Duration.ofSeconds(20))
                        .operationTimeout(operationTimeout)
                        .connectionTimeout(Duration.ofSeconds(1))
                        .connectionLossPolicy(ConnectionLossPolicy.ON_SUSPENDED));
    }

    /**
     * A started coordinator on the given servers in the test's namespace, with the test's own
     * settings, closed after the test (before everything registered earlier).
     *
     * <p>For example {@code nodes.connect(proxy.connectString(), b -> b.sessionTimeout(TEN_SECONDS))}.
     * What {@code settings} does not set keeps the library's default; {@code b -> b} takes all of
     * them.
     *
     * @param connectString where to connect: the extension's {@link ZooKeeperExtension#connectString()},
     *     or a {@link io.statesync.testkit.TcpProxy}'s to cut the connection
     * @param settings the test's settings, applied to a builder that has the connect string and the
     *     namespace; it returns the builder to build (the same one, as the setters do)
     * @return the coordinator, connected
     * @throws InterruptedException if interrupted while connecting
     * @throws io.statesync.core.OperationTimeoutException if not connected within {@link #CONNECT_WAIT}
     *     (the coordinator is closed then)
     */
    public Coordinator connect(String connectString, UnaryOperator<Coordinator.Builder> settings)
            throws InterruptedException {
        return closeLater(open(zk, connectString, settings));
    }

    /**
     * A started coordinator on the given servers in {@code zk}'s namespace, with the test's own
     * settings, that the caller closes (for a test that manages its coordinators itself, e.g. with
     * try-with-resources).
     *
     * @param zk the test's server; gives the namespace
     * @param connectString where to connect: {@code zk}'s, or a proxy's
     * @param settings the test's settings, as for {@link #connect(String, UnaryOperator)}
     * @return the coordinator, connected; the caller closes it
     * @throws InterruptedException if interrupted while connecting
     * @throws io.statesync.core.OperationTimeoutException if not connected within {@link #CONNECT_WAIT}
     *     (the coordinator is closed then)
     */
    public static Coordinator open(
            ZooKeeperExtension zk, String connectString, UnaryOperator<Coordinator.Builder> settings)
            throws InterruptedException {
        return open(settings.apply(Coordinator.builder(connectString).namespace(zk.namespace())));
    }

    /**
     * Builds, starts and connects a coordinator from a builder the test made itself (for a test
     * that names its namespace, or prepares its builder elsewhere), that the caller closes.
     *
     * @param builder the coordinator's builder, with connect string and namespace
     * @return the coordinator, connected; the caller closes it
     * @throws InterruptedException if interrupted while connecting (the coordinator is closed then)
     * @throws io.statesync.core.OperationTimeoutException if not connected within {@link #CONNECT_WAIT}
     *     (the coordinator is closed then)
     */
    public static Coordinator open(Coordinator.Builder builder) throws InterruptedException {
        Coordinator c = builder.build();
        boolean connected = false;
        try {
            c.start();
            c.awaitConnected(CONNECT_WAIT);
            connected = true;
            return c;
        } finally {
            if (!connected) {
                c.close();
            }
        }
    }

    /**
     * Closes {@code closeable} after the test, before everything registered earlier.
     *
     * @param closeable what to close
     * @param <T> its type
     * @return {@code closeable}
     */
    public <T extends AutoCloseable> T closeLater(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    /**
     * Expires {@code c}'s session on the server.
     *
     * @param c the coordinator
     * @throws Exception if the expiry cannot be done
     */
    public void expire(Coordinator c) throws Exception {
        Faults.expireSession(
                c.curatorFramework().getZookeeperClient().getZooKeeper(), zk.connectString(), Duration.ofSeconds(5));
    }

    /**
     * The znodes under a path as the server sees them, sorted.
     *
     * @param c a coordinator
     * @param path the path, relative to its namespace
     * @return the child names, empty if the path does not exist
     * @throws Exception if the server cannot be read
     */
    public static List<String> children(Coordinator c, String path) throws Exception {
        Stat stat = c.curatorFramework().checkExists().forPath(path);
        if (stat == null) {
            return List.of();
        }
        return c.curatorFramework().getChildren().forPath(path).stream()
                .sorted()
                .collect(Collectors.toList());
    }

    /**
     * The names of the threads alive now.
     *
     * @return the names
     */
    public static Set<String> liveThreadNames() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .collect(Collectors.toSet());
    }

    @Override
    public void close() throws Exception {
        background.shutdownNow();
        if (!background.awaitTermination(20, TimeUnit.SECONDS)) {
            throw new AssertionError("a test's background work did not stop within 20 s of its interrupt");
        }
        List<AutoCloseable> all;
        synchronized (closeables) {
            all = new ArrayList<>(closeables);
            closeables.clear();
        }
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            c.close();
        }
    }
}
