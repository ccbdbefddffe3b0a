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
package io.statesync.bench;

import io.statesync.core.Coordinator;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * What a variant runs against: the server, how long to measure, and clients that are closed after
 * the run. Every run gets a namespace of its own.
 */
final class BenchContext implements AutoCloseable {
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** The session timeout every client of the bench asks for. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

    private final ZooKeeperProcess server;
    private final Duration measureFor;
    private final boolean quick;
    private final String namespace;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    BenchContext(ZooKeeperProcess server, Duration measureFor, boolean quick) {
        this.server = server;
        this.measureFor = measureFor;
        this.quick = quick;
        this.namespace = "bench-" + RUNS.incrementAndGet();
    }

    String connectString() {
        return server.connectString();
    }

    ZooKeeperProcess server() {
        return server;
    }

    /** How long a throughput loop runs. */
    Duration measureFor() {
        return measureFor;
    }

    boolean quick() {
        return quick;
    }

    /** This run's namespace, without a leading slash. */
    String namespace() {
        return namespace;
    }

    /** This run's root path for clients without a namespace. */
    String root() {
        return "/" + namespace;
    }

    /** A started statesync coordinator on this run's namespace. */
    Coordinator coordinator() throws InterruptedException {
        return coordinator(connectString());
    }

    /** A started statesync coordinator reaching the server through the given address (e.g. a proxy). */
    Coordinator coordinator(String via) throws InterruptedException {
        Coordinator c = Coordinator.builder(via)
                .namespace(namespace)
                .sessionTimeout(SESSION_TIMEOUT)
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        toClose.add(c);
        c.start();
        c.awaitConnected(Duration.ofSeconds(30));
        return c;
    }

    /** A started Curator client on this run's namespace, with Curator's usual retry policy. */
    CuratorFramework curator() throws InterruptedException {
        return curator(connectString());
    }

    /** A started Curator client reaching the server through the given address (e.g. a proxy). */
    CuratorFramework curator(String via) throws InterruptedException {
        CuratorFramework c = CuratorFrameworkFactory.builder()
                .connectString(via)
                .namespace(namespace)
                .sessionTimeoutMs((int) SESSION_TIMEOUT.toMillis())
                .connectionTimeoutMs(5_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 10))
                .build();
        toClose.add(c);
        c.start();
        if (!c.blockUntilConnected(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Curator did not connect");
        }
        return c;
    }

    /** A connected raw ZooKeeper handle (paths are absolute: use {@link #root()}). */
    ZooKeeper zooKeeper() throws IOException, InterruptedException {
        CountDownLatch connected = new CountDownLatch(1);
        Watcher watcher = e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        };
        ZooKeeper zk = new ZooKeeper(connectString(), (int) SESSION_TIMEOUT.toMillis(), watcher);
        toClose.add(zk);
        if (!connected.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ZooKeeper client did not connect");
        }
        return zk;
    }

    /** Registers something to close after the run. */
    <T extends AutoCloseable> T closeAfter(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    /** Requests received by the server so far. */
    long packets() {
        return server.packetsReceived();
    }

    @Override
    public void close() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                // best effort: the next run uses a fresh namespace
            }
        }
        toClose.clear();
    }
}
