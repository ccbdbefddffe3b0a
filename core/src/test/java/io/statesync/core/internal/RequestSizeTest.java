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
package io.statesync.core.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.LockLostException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The size guard measures the whole request as ZooKeeper reads it, against a real server whose
 * {@code jute.maxbuffer} is the default 1,048,575 bytes: a request over it is refused before
 * anything is sent and the connection stays up; one exactly at it goes through.
 */
@Timeout(120)
class RequestSizeTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    /** The server's default jute.maxbuffer: the longest request packet (after its length) it reads. */
    private static final int JUTE_MAXBUFFER = 0xfffff;

    private final List<ConnectionEvent.Kind> events = new CopyOnWriteArrayList<>();

    private Coordinator started(Coordinator.Builder builder) throws InterruptedException {
        Coordinator c = builder.build();
        c.addListener(e -> events.add(e.kind()), Runnable::run);
        c.start();
        c.awaitConnected(Duration.ofSeconds(10));
        return c;
    }

    private Coordinator.Builder builder() {
        return Coordinator.builder(zk.connectString()).namespace(zk.namespace());
    }

    /**
     * The request packet of a multi of empty creates with the open ACL, counted by hand from jute's
     * encoding: request header (xid, type) 8; per operation a multi header (type, done, err) 9, the
     * path 4 + bytes, the data 4 + 0, the ACL count 4 and one ACL (perms 4, "world" 4 + 5, "anyone"
     * 4 + 6) 23, the flags 4; the closing multi header 9.
     */
    private static int multiOfEmptyCreates(List<String> serverPaths) {
        int size = 8 + 9;
        for (String p : serverPaths) {
            size += 9 + 4 + p.getBytes(UTF_8).length + 4 + 4 + 23 + 4;
        }
        return size;
    }

    /** Paths under {@code /m} whose multi of empty creates is exactly {@code target} bytes. */
    private static List<String> pathsForMultiOf(String serverPrefix, int target) {
        List<String> paths = new ArrayList<>();
        String base = "/m/" + "p".repeat(900);
        while (true) {
            String next = base + paths.size();
            List<String> server = new ArrayList<>();
            for (String p : paths) {
                server.add(serverPrefix + p);
            }
            server.add(serverPrefix + next);
            if (multiOfEmptyCreates(server) > target) {
                break;
            }
            paths.add(next);
        }
        // pad the last path to hit the target exactly
        List<String> server = new ArrayList<>();
        for (String p : paths) {
            server.add(serverPrefix + p);
        }
        int missing = target - multiOfEmptyCreates(server);
        String last = paths.remove(paths.size() - 1);
        paths.add(last + "q".repeat(missing));
        return paths;
    }

    private static List<CuratorOp> creates(Coordinator c, List<String> paths) throws Exception {
        List<CuratorOp> ops = new ArrayList<>();
        for (String p : paths) {
            ops.add(c.curatorFramework().transactionOp().create().forPath(p, new byte[0]));
        }
        return ops;
    }

    @Test
    void aGuardedMultiOfManyEmptyCreatesWithLongPathsOverTheLimitIsRefusedBeforeSending() throws Exception {
        try (Coordinator c = started(builder())) {
            long session = c.sessionId();
            Nodes.create(c, "/guard", new byte[0], CreateMode.EPHEMERAL);
            Nodes.create(c, "/m", new byte[0], CreateMode.PERSISTENT);
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < 1_200; i++) {
                paths.add("/m/" + "p".repeat(950) + i);
            }
            // about 1.2 MB of request, 0 bytes of data
            assertThatThrownBy(() -> Nodes.guardedTransaction(
                            c, "/guard", creates(c, paths), p -> new LockLostException(p, "lost " + p, null)))
                    .isInstanceOf(ValueTooLargeException.class)
                    .hasMessageContaining(paths.get(0))
                    .hasMessageContaining("1201 operations")
                    .hasMessageContaining("jute.maxbuffer")
                    .hasMessageContaining(JUTE_MAXBUFFER + " bytes")
                    .satisfies(e -> {
                        ValueTooLargeException t = (ValueTooLargeException) e;
                        assertThat(t.size()).isGreaterThan(1_200_000);
                        assertThat(t.limit()).isEqualTo(JUTE_MAXBUFFER);
                        assertThat(t.path()).isEqualTo(paths.get(0));
                    });
            assertThatThrownBy(() -> Nodes.transaction(c, creates(c, paths)))
                    .isInstanceOf(ValueTooLargeException.class);

            assertThat(c.curatorFramework().getChildren().forPath("/m")).isEmpty();
            assertThat(events).doesNotContain(ConnectionEvent.Kind.SUSPENDED, ConnectionEvent.Kind.LOST);
            assertThat(c.sessionId()).isEqualTo(session);
            assertThat(c.isConnected()).isTrue();
        }
    }

    @Test
    void aMultiExactlyAtTheServersLimitGoesThroughAndOneByteMoreIsRefused() throws Exception {
        try (Coordinator c = started(builder())) {
            Nodes.create(c, "/m", new byte[0], CreateMode.PERSISTENT);
            String prefix = "/" + zk.namespace();

            List<String> over = pathsForMultiOf(prefix, JUTE_MAXBUFFER + 1);
            assertThatThrownBy(() -> Nodes.transaction(c, creates(c, over)))
                    .isInstanceOf(ValueTooLargeException.class)
                    .satisfies(
                            e -> assertThat(((ValueTooLargeException) e).size()).isEqualTo(JUTE_MAXBUFFER + 1));

            List<String> at = pathsForMultiOf(prefix, JUTE_MAXBUFFER);
            assertThat(Nodes.transaction(c, creates(c, at))).hasSize(at.size());
            assertThat(c.curatorFramework().getChildren().forPath("/m")).hasSize(at.size());
            assertThat(events).doesNotContain(ConnectionEvent.Kind.SUSPENDED, ConnectionEvent.Kind.LOST);
        }
    }

    @Test
    void theServerDropsTheConnectionForTheRequestOneByteOverWhichIsWhyTheGuardCountsExactly() throws Exception {
        // The same request as above, one byte over, sent past the guard on a plain client of its
        // own: the server closes that connection. This is what the guard keeps every recipe from.
        CountDownLatch connected = new CountDownLatch(1);
        CountDownLatch disconnected = new CountDownLatch(1);
        ZooKeeper raw = new ZooKeeper(zk.connectString(), 30_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            } else if (event.getState() == Watcher.Event.KeeperState.Disconnected) {
                disconnected.countDown();
            }
        });
        try {
            assertThat(connected.await(10, TimeUnit.SECONDS)).isTrue();
            String prefix = "/raw" + System.nanoTime();
            raw.create(prefix, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            raw.create(prefix + "/m", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            List<Op> ops = new ArrayList<>();
            for (String p : pathsForMultiOf(prefix, JUTE_MAXBUFFER + 1)) {
                ops.add(Op.create(prefix + p, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            }
            assertThatThrownBy(() -> raw.multi(ops)).isInstanceOf(KeeperException.ConnectionLossException.class);
            assertThat(disconnected.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            raw.close();
        }
    }

    @Test
    void aValueUnderTheValueLimitAtAVeryLongPathIsRefusedBeforeSending() throws Exception {
        // The value limit raised to jute.maxbuffer: the value fits it, the request with its path
        // does not.
        try (Coordinator c = started(builder().maxValueBytes(JUTE_MAXBUFFER))) {
            long session = c.sessionId();
            String longPath = "/" + "p".repeat(4_000);
            byte[] value = new byte[1_046_000];
            assertThatThrownBy(() -> Nodes.create(c, longPath, value, CreateMode.PERSISTENT))
                    .isInstanceOf(ValueTooLargeException.class)
                    .hasMessageContaining(longPath)
                    .hasMessageContaining("jute.maxbuffer");
            Nodes.create(c, longPath, new byte[0], CreateMode.PERSISTENT);
            assertThatThrownBy(() -> Nodes.write(c, longPath, value, -1))
                    .isInstanceOf(ValueTooLargeException.class)
                    .hasMessageContaining(longPath);
            // a value that leaves room for the path and headers goes through
            Nodes.write(c, longPath, new byte[1_040_000], -1);
            assertThat(Nodes.read(c, longPath).orElseThrow().value()).hasSize(1_040_000);

            assertThat(events).doesNotContain(ConnectionEvent.Kind.SUSPENDED, ConnectionEvent.Kind.LOST);
            assertThat(c.sessionId()).isEqualTo(session);
        }
    }
}
