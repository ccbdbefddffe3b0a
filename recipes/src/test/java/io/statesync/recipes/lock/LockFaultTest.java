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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.core.internal.Nodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The mutex under real faults: session expiry, black-holed and refused connections, cuts. */
@Timeout(60)
class LockFaultTest extends LockTestSupport {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final String PATH = "/locks/faulty";

    private ExecutorService background;

    @Override
    ZooKeeperExtension zk() {
        return zk;
    }

    @BeforeEach
    void startBackground() {
        background = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stopBackground() throws InterruptedException {
        background.shutdownNow();
        assertThat(background.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Future<LockHandle> acquireInBackground(DistributedLock lock, Duration timeout) {
        return background.submit(() -> lock.acquire(timeout));
    }

    private static void expire(Coordinator c) throws Exception {
        Faults.expireSession(
                c.curatorFramework().getZookeeperClient().getZooKeeper(), zk.connectString(), Duration.ofSeconds(5));
    }

    @Test
    void anExpiredHolderIsToldAndRefusedWhileItsSuccessorsWritesStand() throws Exception {
        Coordinator a = connect(zk.connectString(), Duration.ofSeconds(10), ConnectionLossPolicy.ON_SUSPENDED);
        Coordinator b = connect();
        Nodes.create(b, "/data", bytes("0"), CreateMode.PERSISTENT);
        DistributedLock lockA = lock(a, PATH);
        Lost lost = new Lost();
        lockA.addLockLostListener(lost);
        DistributedLock lockB = lock(b, PATH);

        LockHandle stale = lockA.acquire(Duration.ofSeconds(10));
        Future<LockHandle> successor = acquireInBackground(lockB, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(b, PATH).size() == 2);

        expire(a);

        LockHandle next = successor.get(30, TimeUnit.SECONDS);
        assertThat(next.token()).isGreaterThan(stale.token());
        next.write(GuardedWrite.of().setData("/data", bytes("successor"), -1));

        await().atMost(Duration.ofSeconds(20)).until(() -> !stale.isValid());
        await().atMost(Duration.ofSeconds(20)).until(() -> lost.handles.contains(stale));
        assertThat(lost.reasons.get(0).path()).isEqualTo(stale.holderPath());
        assertThatThrownBy(() -> stale.write(GuardedWrite.of().setData("/data", bytes("stale"), -1)))
                .isInstanceOf(LockLostException.class);
        assertThat(Nodes.read(b, "/data").orElseThrow().value()).isEqualTo(bytes("successor"));
        stale.close(); // never throws, also for a lost handle

        // A recovers with its new session once B lets go.
        next.close();
        try (LockHandle again = lockA.acquire(Duration.ofSeconds(20))) {
            assertThat(again.token()).isGreaterThan(next.token());
            assertThat(again.isValid()).isTrue();
        }
    }

    @Test
    void aPausedHolderFindsItsHandleInvalidAndItsWriteRefused() throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        Coordinator a = connect(proxy.connectString(), Duration.ofSeconds(2), ConnectionLossPolicy.ON_SUSPENDED);
        Coordinator b = connect();
        Nodes.create(b, "/data", bytes("0"), CreateMode.PERSISTENT);
        DistributedLock lockA = lock(a, PATH);
        DistributedLock lockB = lock(b, PATH);

        LockHandle paused = lockA.acquire(Duration.ofSeconds(10));
        Future<LockHandle> successor = acquireInBackground(lockB, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(b, PATH).size() == 2);

        // A hears nothing and says nothing, like a process stopped in a long GC pause.
        proxy.blackhole();
        LockHandle next = successor.get(30, TimeUnit.SECONDS); // A's session expired on the server
        next.write(GuardedWrite.of().setData("/data", bytes("successor"), -1));
        proxy.pass();

        await().atMost(Duration.ofSeconds(20)).until(() -> !paused.isValid());
        assertThatThrownBy(() -> paused.write(GuardedWrite.of().setData("/data", bytes("paused"), -1)))
                .isInstanceOf(LockLostException.class);
        assertThat(Nodes.read(b, "/data").orElseThrow().value()).isEqualTo(bytes("successor"));
        assertThat(next.token()).isGreaterThan(paused.token());
        FencedResource<String> resource = new FencedResource<>("");
        assertThat(resource.write(next.token(), v -> "successor")).isTrue();
        assertThat(resource.write(paused.token(), v -> "paused")).isFalse();
        assertThat(resource.read()).isEqualTo("successor");
        next.close();
    }

    @Test
    void aReleaseDuringAConnectionLossLeavesNoOrphanAndTheNextClientGetsTheLockWithinTheSessionTimeout()
            throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        Duration sessionTimeout = Duration.ofSeconds(20);
        // ON_LOST: the handle stays valid through SUSPENDED, so the release itself happens offline.
        Coordinator a = connect(proxy.connectString(), sessionTimeout, ConnectionLossPolicy.ON_LOST);
        Events events = new Events();
        a.addListener(events, Runnable::run);
        Coordinator b = connect();
        DistributedLock lockA = lock(a, PATH);
        DistributedLock lockB = lock(b, PATH);

        LockHandle handle = lockA.acquire(Duration.ofSeconds(10));
        long session = a.sessionId();
        proxy.refuse();
        await().atMost(Duration.ofSeconds(20)).until(() -> events.saw(ConnectionEvent.Kind.SUSPENDED));
        assertThat(handle.isValid()).isTrue();

        long start = System.nanoTime();
        handle.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(handle.isValid()).isFalse();
        assertThat(queue(b, PATH)).hasSize(1); // the delete could not be sent yet

        Future<LockHandle> next = acquireInBackground(lockB, sessionTimeout);
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(b, PATH).size() == 2);
        long passed = System.nanoTime();
        proxy.pass();
        try (LockHandle h = next.get(30, TimeUnit.SECONDS)) {
            assertThat(h.isValid()).isTrue();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - passed)).isLessThan(sessionTimeout);
        // The same session lives on: the background delete freed the lock, not a session expiry.
        assertThat(a.sessionId()).isEqualTo(session);
        assertThat(queue(b, PATH)).isEmpty();
    }

    @Test
    void underOnSuspendedACutInvalidatesTheHandleAndFreesTheLockThoughTheSessionSurvives() throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        Coordinator a = connect(proxy.connectString(), Duration.ofSeconds(20), ConnectionLossPolicy.ON_SUSPENDED);
        Coordinator b = connect();
        DistributedLock lockA = lock(a, PATH);
        Lost lost = new Lost();
        lockA.addLockLostListener(lost, Runnable::run);
        long session = a.sessionId();

        LockHandle handle = lockA.acquire(Duration.ofSeconds(10));
        proxy.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> lost.handles.contains(handle));
        assertThat(handle.isValid()).isFalse();
        assertThat(lost.reasons.get(0)).hasMessageContaining("SUSPENDED");

        await().atMost(Duration.ofSeconds(20)).until(a::isConnected);
        assertThat(a.sessionId()).isEqualTo(session);
        assertThat(handle.isValid()).as("never revalidated").isFalse();
        // Its znode was deleted once the connection was back: another client gets the lock.
        try (LockHandle h = lock(b, PATH).acquire(Duration.ofSeconds(20))) {
            assertThat(h.token()).isGreaterThan(handle.token());
        }
        assertThatThrownBy(() -> handle.write(GuardedWrite.of().check("/", -1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> handle.write(GuardedWrite.of().check(PATH, -1)))
                .isInstanceOf(LockLostException.class);
        assertThat(lost.handles).hasSize(1);
    }

    @Test
    void underOnLostABriefCutKeepsTheHandle() throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        Coordinator a = connect(proxy.connectString(), Duration.ofSeconds(20), ConnectionLossPolicy.ON_LOST);
        Events events = new Events();
        a.addListener(events, Runnable::run);
        DistributedLock lockA = lock(a, PATH);
        Lost lost = new Lost();
        lockA.addLockLostListener(lost, Runnable::run);

        LockHandle handle = lockA.acquire(Duration.ofSeconds(10));
        proxy.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> events.saw(ConnectionEvent.Kind.RECONNECTED));
        assertThat(handle.isValid()).isTrue();
        assertThat(lost.handles).isEmpty();
        handle.write(GuardedWrite.of().check(PATH, -1));
        handle.close();
    }

    @Test
    void aWaiterWhoseSessionExpiresRequeuesAndStillGetsTheLock() throws Exception {
        Coordinator a = connect();
        Coordinator b = connect(zk.connectString(), Duration.ofSeconds(10), ConnectionLossPolicy.ON_SUSPENDED);
        Events events = new Events();
        b.addListener(events, Runnable::run);
        LockHandle held = lock(a, PATH).acquire(Duration.ofSeconds(10));
        Future<LockHandle> waiter = acquireInBackground(lock(b, PATH), Duration.ofSeconds(40));
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 2);
        List<String> before = queue(a, PATH);

        expire(b);
        await().atMost(Duration.ofSeconds(20)).until(() -> events.saw(ConnectionEvent.Kind.LOST));
        // The waiter queues again with a znode of its new session.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> queue(a, PATH).size() == 2 && !queue(a, PATH).equals(before));
        held.close();
        try (LockHandle h = waiter.get(30, TimeUnit.SECONDS)) {
            assertThat(h.isValid()).isTrue();
            assertThat(h.token()).isGreaterThan(held.token());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).isEmpty());
    }

    @Test
    void aWaiterKeepsItsPlaceInTheQueueThroughABriefCut() throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        Coordinator a = connect();
        Coordinator b = connect(proxy.connectString(), Duration.ofSeconds(20), ConnectionLossPolicy.ON_SUSPENDED);
        Events events = new Events();
        b.addListener(events, Runnable::run);
        Coordinator c = connect();
        LockHandle held = lock(a, PATH).acquire(Duration.ofSeconds(10));
        Future<LockHandle> first = acquireInBackground(lock(b, PATH), Duration.ofSeconds(40));
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 2);
        List<String> before = queue(a, PATH);
        Future<LockHandle> second = acquireInBackground(lock(c, PATH), Duration.ofSeconds(40));
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 3);

        proxy.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> events.saw(ConnectionEvent.Kind.RECONNECTED));
        assertThat(queue(a, PATH)).containsAll(before);

        held.close();
        LockHandle h = first.get(30, TimeUnit.SECONDS);
        assertThat(second.isDone()).isFalse();
        h.close();
        second.get(30, TimeUnit.SECONDS).close();
    }

    @Test
    void noListenerIsCalledAfterTheLockIsClosed() throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        Coordinator a = connect(proxy.connectString(), Duration.ofSeconds(20), ConnectionLossPolicy.ON_SUSPENDED);
        Events events = new Events();
        a.addListener(events, Runnable::run);
        DistributedLock lockA = lock(a, PATH);
        DistributedLock witness = lock(a, PATH + "-witness");
        Lost lost = new Lost();
        Lost witnessed = new Lost();
        lockA.addLockLostListener(lost, Runnable::run);
        witness.addLockLostListener(witnessed, Runnable::run);
        LockHandle handle = lockA.acquire(Duration.ofSeconds(10));
        LockHandle other = witness.acquire(Duration.ofSeconds(10));
        lockA.close();
        assertThat(handle.isValid()).isFalse();

        proxy.cut();
        await().atMost(Duration.ofSeconds(20)).until(() -> witnessed.handles.contains(other));
        await().atMost(Duration.ofSeconds(20)).until(() -> events.saw(ConnectionEvent.Kind.RECONNECTED));
        assertThat(lost.handles).isEmpty();
    }

    /**
     * A release whose delete went into a connection that had gone silent (as to a frozen server) is
     * sent again once the client reaches another server in the same session, so the lock passes on.
     */
    @Test
    void aReleaseSentIntoASilentConnectionIsSentAgainWhenTheClientMovesToAnotherServer() throws Exception {
        String path = "/locks/moved";
        try (TcpProxy one = TcpProxy.start(zk.connectString());
                TcpProxy two = TcpProxy.start(zk.connectString())) {
            Coordinator a = connect(
                    one.connectString() + "," + two.connectString(),
                    Duration.ofSeconds(6),
                    ConnectionLossPolicy.ON_SUSPENDED);
            Coordinator b = connect();
            DistributedLock lockA = lock(a, path);
            DistributedLock lockB = lock(b, path);
            LockHandle held = lockA.acquire(Duration.ofSeconds(10));
            Future<LockHandle> successor = acquireInBackground(lockB, Duration.ofSeconds(50));
            await().atMost(Duration.ofSeconds(20)).until(() -> queue(b, path).size() == 2);
            long session = a.sessionId();

            TcpProxy current = one.acceptedConnections() > 0 ? one : two;
            current.blackhole();
            held.close(); // its delete goes into the silence

            // The client gives up on the silent connection after 2T/3 and reaches the server again
            // through the other proxy, in the same session (the coordinator may not even report it).
            LockHandle next = successor.get(30, TimeUnit.SECONDS);
            assertThat(a.sessionId()).isEqualTo(session);
            assertThat(next.isValid()).isTrue();
            assertThat(queue(b, path)).hasSize(1);
            next.close();
        }
    }
}
