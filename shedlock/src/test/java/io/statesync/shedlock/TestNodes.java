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
package io.statesync.shedlock;

import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.testkit.Faults;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.zookeeper.data.Stat;

/** Coordinators for the tests ("nodes"), closed in reverse order after each test. */
final class TestNodes implements AutoCloseable {
    private final ZooKeeperExtension zk;
    private final List<AutoCloseable> closeables = Collections.synchronizedList(new ArrayList<>());

    TestNodes(ZooKeeperExtension zk) {
        this.zk = zk;
    }

    Coordinator connect() throws InterruptedException {
        return connect(zk.connectString(), Duration.ofSeconds(20));
    }

    /** A coordinator on the given servers (e.g. a TcpProxy's), session timeout 20 s. */
    Coordinator connect(String connectString, Duration operationTimeout) throws InterruptedException {
        Coordinator c = Coordinator.builder(connectString)
                .namespace(zk.namespace())
                .sessionTimeout(Duration.ofSeconds(20))
                .operationTimeout(operationTimeout)
                .connectionTimeout(Duration.ofSeconds(1))
                .connectionLossPolicy(ConnectionLossPolicy.ON_SUSPENDED)
                .build();
        closeables.add(c);
        c.start();
        c.awaitConnected(Duration.ofSeconds(10));
        return c;
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    void expire(Coordinator c) throws Exception {
        Faults.expireSession(
                c.curatorFramework().getZookeeperClient().getZooKeeper(), zk.connectString(), Duration.ofSeconds(5));
    }

    /** The znodes under a path as the server sees them (empty if the path does not exist). */
    static List<String> children(Coordinator c, String path) throws Exception {
        Stat stat = c.curatorFramework().checkExists().forPath(path);
        if (stat == null) {
            return List.of();
        }
        return c.curatorFramework().getChildren().forPath(path).stream()
                .sorted()
                .collect(Collectors.toList());
    }

    static Set<String> liveThreadNames() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .collect(Collectors.toSet());
    }

    @Override
    public void close() throws Exception {
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
