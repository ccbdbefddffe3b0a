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
package io.statesync.recipes.lock;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.core.LockLostException;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;

/** Connections and probes shared by the lock tests; every coordinator made here is closed after each test. */
abstract class LockTestSupport {
    /** The test class's server is a static field, set before this instance is made. */
    private final TestNodes nodes = new TestNodes(zk());

    abstract ZooKeeperExtension zk();

    Coordinator connect() throws InterruptedException {
        return connect(zk().connectString(), Duration.ofSeconds(20), ConnectionLossPolicy.ON_SUSPENDED);
    }

    Coordinator connect(String connectString, Duration sessionTimeout, ConnectionLossPolicy policy)
            throws InterruptedException {
        return nodes.connect(
                connectString,
                b -> b.sessionTimeout(sessionTimeout)
                        .connectionTimeout(Duration.ofMillis(Math.min(1000, sessionTimeout.toMillis())))
                        .connectionLossPolicy(policy));
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        // Recipes are closed before the coordinators (added first, closed last).
        return nodes.closeLater(closeable);
    }

    DistributedLock lock(Coordinator c, String path) {
        DistributedLock lock = closeLater(DistributedLock.builder(c, path).build());
        lock.start();
        return lock;
    }

    @AfterEach
    final void closeEverything() throws Exception {
        nodes.close();
    }

    /** The lock's queue as the server sees it (waiters and holders), sorted by name. */
    static List<String> queue(Coordinator c, String path) throws Exception {
        if (c.curatorFramework().checkExists().forPath(path) == null) {
            return List.of();
        }
        return c.curatorFramework().getChildren().forPath(path).stream()
                .sorted()
                .collect(Collectors.toList());
    }

    static boolean exists(Coordinator c, String path) throws Exception {
        Stat stat = c.curatorFramework().checkExists().forPath(path);
        return stat != null;
    }

    /** Records lock-lost calls. */
    static final class Lost implements LockLostListener {
        final List<LockHandle> handles = new CopyOnWriteArrayList<>();
        final List<LockLostException> reasons = new CopyOnWriteArrayList<>();

        @Override
        public void lockLost(LockHandle handle, LockLostException reason) {
            handles.add(handle);
            reasons.add(reason);
        }
    }

    /** Records connection events. */
    static final class Events implements io.statesync.core.ConnectionListener {
        final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onConnection(ConnectionEvent event) {
            events.add(event);
        }

        boolean saw(ConnectionEvent.Kind kind) {
            return events.stream().anyMatch(e -> e.kind() == kind);
        }
    }
}
