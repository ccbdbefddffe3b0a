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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A holder cut off longer than its session timeout gives its session up (LOST) and reconnects with
 * a new one while the server still holds the old session (here kept alive by a second handle on it,
 * as a partitioned ensemble keeps it until it notices): the holder's znode of the old session is
 * deleted from the new session, so another client takes the lock at once instead of waiting for the
 * server to expire the old session.
 */
@Timeout(120)
class LockOldSessionTest extends LockTestSupport {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Duration SESSION = Duration.ofSeconds(4);

    @Override
    ZooKeeperExtension zk() {
        return zk;
    }

    /** The kinds of holder whose old-session znode must go. */
    enum Holder {
        MUTEX,
        WRITE_LOCK,
        READ_LOCK,
        SEMAPHORE_LEASE
    }

    private interface Acquirer {
        LockHandle acquire(Duration timeout) throws InterruptedException;
    }

    private Acquirer acquirer(Coordinator c, Holder holder, String path) {
        switch (holder) {
            case MUTEX -> {
                DistributedLock lock = lock(c, path);
                return lock::acquire;
            }
            case WRITE_LOCK, READ_LOCK -> {
                DistributedReadWriteLock rw =
                        closeLater(DistributedReadWriteLock.builder(c, path).build());
                rw.start();
                return holder == Holder.READ_LOCK ? rw::acquireRead : rw::acquireWrite;
            }
            case SEMAPHORE_LEASE -> {
                DistributedSemaphore s =
                        closeLater(DistributedSemaphore.builder(c, path, 1).build());
                s.start();
                return s::acquire;
            }
        }
        throw new AssertionError(holder);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Holder.class)
    void aHolderThatMovedToANewSessionDeletesItsOldSessionsZnode(Holder holder) throws Exception {
        String path = "/locks/old-session-" + holder.name().toLowerCase();
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        Coordinator a = connect(proxy.connectString(), SESSION, ConnectionLossPolicy.ON_SUSPENDED);
        Events events = new Events();
        a.addListener(events, Runnable::run);
        Coordinator b = connect();
        LockHandle held = acquirer(a, holder, path).acquire(Duration.ofSeconds(10));
        // A reader blocks only a writer: the other client asks for the write lock then.
        Acquirer other = acquirer(b, holder == Holder.READ_LOCK ? Holder.WRITE_LOCK : holder, path);
        long oldSession = a.sessionId();
        byte[] password =
                a.curatorFramework().getZookeeperClient().getZooKeeper().getSessionPasswd();

        proxy.blackhole();
        // The server keeps the old session: a second handle on it, straight to the server.
        ZooKeeper keeper = keepAlive(oldSession, password);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> events.saw(ConnectionEvent.Kind.LOST));
            proxy.pass();
            await().atMost(Duration.ofSeconds(30)).until(() -> a.isConnected() && a.sessionId() != oldSession);
            assertThat(held.isValid()).isFalse();

            // The old session lives on for as long as the keeper holds it; the lock is free anyway.
            long start = System.nanoTime();
            try (LockHandle next = other.acquire(Duration.ofSeconds(20))) {
                assertThat(next.token()).isGreaterThan(held.token());
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            assertThat(keeper.getState().isConnected()).isTrue();
            assertThat(ownedBy(b, path, oldSession)).isEmpty();
        } finally {
            keeper.close();
        }
    }

    /** A handle attached to {@code sessionId} directly at the server, which keeps the session alive. */
    private static ZooKeeper keepAlive(long sessionId, byte[] password) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        Watcher watcher = event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        };
        ZooKeeper keeper =
                new ZooKeeper(zk.connectString(), Math.toIntExact(SESSION.toMillis()), watcher, sessionId, password);
        assertThat(connected.await(20, TimeUnit.SECONDS)).isTrue();
        return keeper;
    }

    /** The lock's children that belong to {@code session}. */
    private static List<String> ownedBy(Coordinator c, String path, long session) throws Exception {
        return queue(c, path).stream()
                .filter(child -> {
                    try {
                        Stat stat = c.curatorFramework().checkExists().forPath(path + "/" + child);
                        return stat != null && stat.getEphemeralOwner() == session;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
    }
}
