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
package io.statesync.spring.boot.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.springframework.beans.factory.DisposableBean;

/**
 * The ZooKeeper server of one test application context (see {@link EmbeddedZooKeeper}), available
 * as a bean for tests that need its address, its namespace or curator-test's server (to stop or
 * restart it, or expire a session with the test kit's {@code Faults}).
 *
 * <p>Thread-safe: the accessors may be called from any thread.
 */
public final class EmbeddedZooKeeperServer implements DisposableBean {
    /** The name of this bean in the test's application context. */
    public static final String BEAN_NAME = "statesyncEmbeddedZooKeeperServer";

    private static final int TICK_MS = 100;

    private final TestingServer server;
    private final String namespace;

    private EmbeddedZooKeeperServer(TestingServer server, String namespace) {
        this.server = server;
        this.namespace = namespace;
    }

    /** A server on a free port, not started yet. */
    static EmbeddedZooKeeperServer create(String namespace) {
        Map<String, Object> properties = new HashMap<>();
        // The test kit's server settings: short sessions for fault tests, statesync's defaults too.
        properties.put("minSessionTimeout", Integer.toString(2 * TICK_MS));
        properties.put("maxSessionTimeout", "60000");
        try {
            InstanceSpec spec = new InstanceSpec(
                    Files.createTempDirectory("statesync-zk-").toFile(),
                    -1,
                    -1,
                    -1,
                    true,
                    1,
                    TICK_MS,
                    -1,
                    properties,
                    "127.0.0.1");
            return new EmbeddedZooKeeperServer(new TestingServer(spec, false), namespace);
        } catch (Exception e) {
            throw new IllegalStateException("could not create the embedded ZooKeeper server", e);
        }
    }

    /** Starts the server (when the context refreshes). */
    void start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded ZooKeeper server at " + connectString(), e);
        }
    }

    /**
     * The server's address, the value of {@code statesync.connect-string}.
     *
     * @return {@code 127.0.0.1:<port>}
     */
    public String connectString() {
        return server.getConnectString();
    }

    /**
     * The namespace of this context, the value of {@code statesync.namespace}.
     *
     * @return {@code test-<TestClass>-<n>}, without a leading {@code /}
     */
    public String namespace() {
        return namespace;
    }

    /**
     * curator-test's server, for fault tests: {@code stop()} drops every connection as a crash
     * would, {@code restart()} brings it back on the same port and data. The context closes it.
     *
     * @return the server
     */
    public TestingServer testingServer() {
        return server;
    }

    /**
     * Closes the server and deletes its data: called by Spring when the context closes, after the
     * beans that connect to it.
     *
     * @throws UncheckedIOException if the server fails to close
     */
    @Override
    public void destroy() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close the embedded ZooKeeper server at " + connectString(), e);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedZooKeeperServer[" + connectString() + ", namespace " + namespace + "]";
    }
}
