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
package io.statesync.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ZooKeeper;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives tests a real, in-process ZooKeeper — one server, or a cluster of
 * several — and a fresh namespace per test, so tests never see each other's znodes.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ZooKeeperExtension zk = ZooKeeperExtension.server();
 *
 * @Test
 * void something() {
 *     Coordinator c = Coordinator.builder(zk.connectString()).namespace(zk.namespace()).build();
 * }
 * }</pre>
 *
 * <p>Registered on a {@code static} field, the server is shared by the class's tests (started
 * before the first, stopped after the last); on an instance field, every test gets its own. The
 * servers accept session timeouts from 200 ms to 60 s (tick 100 ms), so fault tests can use short
 * sessions and ordinary tests the statesync defaults.
 *
 * <p>Not thread-safe for configuration; the accessors may be called from any thread.
 */
public final class ZooKeeperExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static final int TICK_MS = 100;

    private final int servers;
    private @Nullable TestingServer server;
    private @Nullable TestingCluster cluster;
    private boolean perClass;
    private @Nullable String namespace;

    private ZooKeeperExtension(int servers) {
        this.servers = servers;
    }

    /**
     * One ZooKeeper server.
     *
     * @return the extension
     */
    public static ZooKeeperExtension server() {
        return new ZooKeeperExtension(1);
    }

    /**
     * A cluster (an ensemble) of several servers with quorum, e.g. 3.
     *
     * @param servers how many servers, at least 3
     * @return the extension
     */
    public static ZooKeeperExtension cluster(int servers) {
        if (servers < 3) {
            throw new IllegalArgumentException("a cluster needs at least 3 servers, was " + servers);
        }
        return new ZooKeeperExtension(servers);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        perClass = true;
        startServers();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stopServers();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            startServers();
        }
        String test = context.getRequiredTestClass().getSimpleName() + "-"
                + context.getTestMethod().map(m -> m.getName()).orElse("test");
        // One segment below the root, so that no test creates a parent (with its ACL) that another shares.
        namespace = "test-" + sanitize(test) + "-" + NAMESPACES.incrementAndGet();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            stopServers();
        } else {
            // A fault test may leave a server stopped: bring the shared servers back for the next test.
            restartStoppedServers();
        }
    }

    /**
     * The connect string of the server or of every server of the cluster.
     *
     * @return {@code host:port[,host:port...]}
     */
    public String connectString() {
        if (cluster != null) {
            return cluster.getConnectString();
        }
        return requireServer().getConnectString();
    }

    /**
     * A namespace no other test uses, without a leading {@code /}: pass it to the coordinator.
     *
     * @return the namespace of the running test
     */
    public String namespace() {
        return Objects.requireNonNull(namespace, "no test is running");
    }

    /**
     * The single server (only for {@link #server()}).
     *
     * @return curator-test's server
     */
    public TestingServer testingServer() {
        return requireServer();
    }

    /**
     * The cluster (only for {@link #cluster(int)}).
     *
     * @return curator-test's cluster
     */
    public TestingCluster testingCluster() {
        return Objects.requireNonNull(cluster, "this extension runs a single server, not a cluster");
    }

    /**
     * Stops the single server, as a crash would: every client connection drops at once. Sessions
     * survive on disk and resume if the server restarts within their timeout.
     *
     * @throws IOException if stopping fails
     */
    public void stopServer() throws IOException {
        requireServer().stop();
    }

    /**
     * Restarts the single server on the same port and data directory.
     *
     * @throws Exception if it fails to start
     */
    public void restartServer() throws Exception {
        requireServer().restart();
    }

    /**
     * The servers of the cluster, in a stable order.
     *
     * @return the instance specs
     */
    public List<InstanceSpec> clusterInstances() {
        return new ArrayList<>(testingCluster().getInstances());
    }

    /**
     * Kills a server of the cluster; the rest keep quorum while a majority is up.
     *
     * @param instance the server
     * @throws Exception if killing fails
     */
    public void killServer(InstanceSpec instance) throws Exception {
        if (!testingCluster().killServer(instance)) {
            throw new IllegalStateException("server " + address(instance) + " was not running");
        }
    }

    /**
     * Restarts a killed server of the cluster.
     *
     * @param instance the server
     * @throws Exception if it fails to start
     */
    public void restartServer(InstanceSpec instance) throws Exception {
        if (!testingCluster().restartServer(instance)) {
            throw new IllegalStateException("server " + address(instance) + " could not be restarted");
        }
    }

    /**
     * The cluster server a client handle is connected to.
     *
     * @param zooKeeper the client handle
     * @return its server
     * @throws Exception if it cannot be found
     */
    public InstanceSpec connectedServer(ZooKeeper zooKeeper) throws Exception {
        InstanceSpec spec = testingCluster().findConnectionInstance(zooKeeper);
        if (spec == null) {
            throw new IllegalStateException("the client is not connected to a server of this cluster");
        }
        return spec;
    }

    private TestingServer requireServer() {
        return Objects.requireNonNull(server, "no server: the extension is not running, or runs a cluster");
    }

    private void startServers() throws Exception {
        if (servers == 1) {
            TestingServer s = new TestingServer(spec(-1, 1), false);
            s.start();
            server = s;
        } else {
            List<InstanceSpec> specs = new ArrayList<>();
            for (int i = 1; i <= servers; i++) {
                specs.add(spec(-1, i));
            }
            TestingCluster c = new TestingCluster(specs);
            c.start();
            cluster = c;
        }
    }

    private void restartStoppedServers() throws Exception {
        TestingServer s = server;
        if (s != null) {
            if (!reachable(s.getPort())) {
                s.restart();
            }
        }
    }

    private void stopServers() throws IOException {
        TestingServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
        TestingCluster c = cluster;
        cluster = null;
        if (c != null) {
            c.close();
        }
    }

    private static InstanceSpec spec(int port, int serverId) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("minSessionTimeout", Integer.toString(2 * TICK_MS));
        properties.put("maxSessionTimeout", "60000");
        try {
            return new InstanceSpec(
                    Files.createTempDirectory("statesync-zk-").toFile(),
                    port,
                    -1,
                    -1,
                    true,
                    serverId,
                    TICK_MS,
                    -1,
                    properties,
                    "127.0.0.1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean reachable(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String address(InstanceSpec instance) {
        return instance.getHostname() + ":" + instance.getPort();
    }

    private static String sanitize(String name) {
        return name.replaceAll("[^A-Za-z0-9_-]", "_");
    }
}
