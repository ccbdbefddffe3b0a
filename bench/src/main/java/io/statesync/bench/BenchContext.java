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
import org.jspecify.annotations.Nullable;

/**
 * What a variant runs against: the server (or a 3-server ensemble, whose clients connect to its
 * followers only), how long to measure, and clients that are closed after the run. Every run gets a
 * namespace of its own.
 */
final class BenchContext implements AutoCloseable {
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** The session timeout every client of the bench asks for. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);

    private final @Nullable ZooKeeperProcess server;
    private final @Nullable ZooKeeperEnsemble ensemble;
    /** The ensemble's followers as the context was made; null on a single server. */
    private final @Nullable String followers;

    private final Duration measureFor;
    private final boolean quick;
    private final String namespace;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    BenchContext(ZooKeeperProcess server, Duration measureFor, boolean quick) {
        this(server, null, null, measureFor, quick);
    }

    /**
     * A run on the ensemble: every client the context makes connects to the servers that follow
     * as it is made, so that each write is forwarded to the leader; the requests counted are those
     * of the three servers.
     */
    BenchContext(ZooKeeperEnsemble ensemble, Duration measureFor, boolean quick) {
        this(null, ensemble, ensemble.followersConnectString(), measureFor, quick);
    }

    private BenchContext(
            @Nullable ZooKeeperProcess server,
            @Nullable ZooKeeperEnsemble ensemble,
            @Nullable String followers,
            Duration measureFor,
            boolean quick) {
        this.server = server;
        this.ensemble = ensemble;
        this.followers = followers;
        this.measureFor = measureFor;
        this.quick = quick;
        this.namespace = "bench-" + RUNS.incrementAndGet();
    }

    /** The single server's address, or the ensemble's followers'. */
    String connectString() {
        return followers != null ? followers : server().connectString();
    }

    /** The single server; a workload that restarts it or reads its gauges cannot run on the ensemble. */
    ZooKeeperProcess server() {
        if (server == null) {
            throw new IllegalStateException("this workload needs the single server, not the ensemble");
        }
        return server;
    }

    /** The ensemble, for a workload that kills its leader. */
    ZooKeeperEnsemble ensemble() {
        if (ensemble == null) {
            throw new IllegalStateException("this workload needs the ensemble, not the single server");
        }
        return ensemble;
    }

    /** How long a throughput loop runs. */
    Duration measureFor() {
        return measureFor;
    }

    boolean quick() {
        return quick;
    }

    /**
     * The fewest operations a timed loop runs, however long its window: 100 in quick mode, so that
     * on a loaded machine a half-second window of a few operations does not leave the run's fixed
     * requests (pings, the first reads) weighing on the per-operation request counts the quick test
     * checks; none in full mode, whose windows are long.
     */
    long minOperations() {
        return quick ? 100 : 0;
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

    /** Requests received by the server (the ensemble's three servers) so far. */
    long packets() {
        return ensemble != null ? ensemble.packetsReceived() : server().packetsReceived();
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
