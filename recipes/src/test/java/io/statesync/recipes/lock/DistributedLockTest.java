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

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.internal.Nodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The mutex against a real server: exclusion, tokens, timeouts, interrupts, guarded writes. */
@Timeout(60)
class DistributedLockTest extends LockTestSupport {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final String PATH = "/locks/mutex";

    @Override
    ZooKeeperExtension zk() {
        return zk;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void tryAcquireSeesTheHolderAndTheNextHolderHasAHigherToken() throws Exception {
        Coordinator a = connect();
        Coordinator b = connect();
        DistributedLock lockA = lock(a, PATH);
        DistributedLock lockB = lock(b, PATH);

        LockHandle first = lockA.tryAcquire().orElseThrow();
        assertThat(first.isValid()).isTrue();
        assertThat(first.lockPath()).isEqualTo(PATH);
        assertThat(first.holderPath()).startsWith(PATH + "/lock-");
        assertThat(first.token())
                .isEqualTo(a.curatorFramework()
                        .checkExists()
                        .forPath(first.holderPath())
                        .getCzxid());

        assertThat(lockB.tryAcquire()).isEmpty();
        // A failed try leaves no waiter behind.
        assertThat(queue(a, PATH)).hasSize(1);

        first.close();
        assertThat(first.isValid()).isFalse();
        assertThat(queue(a, PATH)).isEmpty();
        first.close(); // idempotent

        LockHandle second = lockB.tryAcquire().orElseThrow();
        assertThat(second.token()).isGreaterThan(first.token());
        second.close();
    }

    @Test
    void fourClientsNeverOverlapAndTokensStrictlyIncreaseOverAThousandAcquisitions() throws Exception {
        int clients = 4;
        int perClient = 250;
        List<DistributedLock> locks = new ArrayList<>();
        Coordinator observer = connect();
        for (int i = 0; i < clients; i++) {
            locks.add(lock(connect(), PATH));
        }
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Long> tokens = new ArrayList<>(); // appended only while holding the lock
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (DistributedLock lock : locks) {
                done.add(pool.submit(() -> {
                    for (int n = 0; n < perClient; n++) {
                        try (LockHandle h = lock.acquire(Duration.ofSeconds(30))) {
                            if (inside.incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            synchronized (tokens) {
                                tokens.add(h.token());
                            }
                            inside.decrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(overlaps.get()).isZero();
        assertThat(tokens).hasSize(clients * perClient);
        for (int i = 1; i < tokens.size(); i++) {
            assertThat(tokens.get(i)).as("token %d", i).isGreaterThan(tokens.get(i - 1));
        }
        assertThat(queue(observer, PATH)).isEmpty();
    }

    @Test
    void aTimeoutIsTypedMeasuredAndLeavesNoWaiterBehind() throws Exception {
        Coordinator a = connect();
        Coordinator b = connect();
        LockHandle held = lock(a, PATH).acquire(Duration.ofSeconds(10));
        DistributedLock lockB = lock(b, PATH);

        long start = System.nanoTime();
        assertThatThrownBy(() -> lockB.acquire(Duration.ofMillis(500)))
                .isInstanceOf(OperationTimeoutException.class)
                .hasMessageContaining(PATH);
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(5));

        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 1);
        assertThat(queue(a, PATH)).containsExactly(held.holderPath().substring(PATH.length() + 1));
        held.close();
        try (LockHandle next = lockB.acquire(Duration.ofSeconds(10))) {
            assertThat(next.token()).isGreaterThan(held.token());
        }
    }

    @Test
    void anInterruptedWaiterThrowsAndLeavesNoWaiterBehind() throws Exception {
        Coordinator a = connect();
        Coordinator b = connect();
        LockHandle held = lock(a, PATH).acquire(Duration.ofSeconds(10));
        DistributedLock lockB = lock(b, PATH);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                lockB.acquire(Duration.ofSeconds(30)).close();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        waiter.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 2);
        waiter.interrupt();
        waiter.join(10_000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 1);
        assertThat(held.isValid()).isTrue();
        held.close();
    }

    @Test
    void aHandleBelongsToNoThread() throws Exception {
        Coordinator a = connect();
        DistributedLock lockA = lock(a, PATH);
        ExecutorService other = Executors.newSingleThreadExecutor();
        LockHandle handle;
        try {
            handle = other.submit(() -> lockA.acquire(Duration.ofSeconds(10))).get(20, TimeUnit.SECONDS);
        } finally {
            other.shutdownNow();
        }
        // Released by a thread that did not acquire it; and a second acquire from this thread waits for it.
        assertThat(lockA.tryAcquire()).isEmpty();
        handle.close();
        Optional<LockHandle> again = lockA.tryAcquire();
        assertThat(again).isPresent();
        again.get().close();
    }

    @Test
    void aGuardedWriteLandsWhileHeldAndIsRefusedAfterRelease() throws Exception {
        Coordinator a = connect();
        Nodes.create(a, "/data", bytes("0"), CreateMode.PERSISTENT);
        LockHandle handle = lock(a, PATH).acquire(Duration.ofSeconds(10));

        handle.write(GuardedWrite.of().setData("/data", bytes("1"), 0).create("/data/child", bytes("c")));
        assertThat(Nodes.read(a, "/data").orElseThrow().value()).isEqualTo(bytes("1"));
        assertThat(exists(a, "/data/child")).isTrue();

        // A failing operation makes the whole write fail: nothing lands.
        assertThatThrownBy(() -> handle.write(
                        GuardedWrite.of().setData("/data", bytes("2"), 1).create("/data/child", bytes("again"))))
                .hasMessageContaining("/data/child");
        assertThat(Nodes.read(a, "/data").orElseThrow().value()).isEqualTo(bytes("1"));

        handle.close();
        assertThatThrownBy(() -> handle.write(GuardedWrite.of().setData("/data", bytes("3"), -1)))
                .isInstanceOf(LockLostException.class);
        assertThat(Nodes.read(a, "/data").orElseThrow().value()).isEqualTo(bytes("1"));
        assertThatThrownBy(() -> handle.write(GuardedWrite.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GuardedWrite.of().setData("no-slash", bytes("x"), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-slash");
    }

    @Test
    void theServerRefusesADeposedHoldersWriteBeforeTheHolderIsTold() throws Exception {
        Coordinator a = connect();
        Coordinator admin = connect();
        Nodes.create(admin, "/data", bytes("before"), CreateMode.PERSISTENT);
        Nodes.create(admin, "/block", bytes(""), CreateMode.PERSISTENT);
        DistributedLock lockA = lock(a, PATH);
        Lost lost = new Lost();
        lockA.addLockLostListener(lost);
        LockHandle handle = lockA.acquire(Duration.ofSeconds(10));

        // Hold A's ZooKeeper event thread, so that no watch or connection event reaches A.
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        a.curatorFramework()
                .checkExists()
                .usingWatcher((Watcher) event -> {
                    blocked.countDown();
                    try {
                        unblock.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })
                .forPath("/block");
        Nodes.write(admin, "/block", bytes("go"), -1);
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        try {
            // Another client deletes the holder's znode (as a session expiry would).
            assertThat(Nodes.delete(admin, handle.holderPath(), -1)).isTrue();
            assertThat(handle.isValid()).as("not told yet").isTrue();

            // The write is sent while the holder has not been told; its answer, like every answer
            // to an asynchronous request, is delivered on the event thread, so it is read once that
            // thread is free again.
            CompletableFuture<Throwable> refused = new CompletableFuture<>();
            Thread writer = new Thread(() -> {
                try {
                    handle.write(GuardedWrite.of().setData("/data", bytes("stale"), -1), Duration.ofSeconds(20));
                    refused.complete(new AssertionError("the write was not refused"));
                } catch (Throwable t) {
                    refused.complete(t);
                }
            });
            writer.start();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> writer.getState() == Thread.State.TIMED_WAITING
                            || writer.getState() == Thread.State.WAITING);
            assertThat(handle.isValid())
                    .as("still not told when the write was sent")
                    .isTrue();
            unblock.countDown();
            assertThat(refused.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(LockLostException.class)
                    .hasMessageContaining(handle.holderPath());
            assertThat(Nodes.read(admin, "/data").orElseThrow().value()).isEqualTo(bytes("before"));
            assertThat(handle.isValid()).isFalse();
        } finally {
            unblock.countDown();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> lost.handles.size() == 1);
        assertThat(lost.handles).containsExactly(handle);
    }

    @Test
    void tokensKeepIncreasingAfterTheParentIsDeletedAndRecreated() throws Exception {
        Coordinator a = connect();
        Coordinator b = connect();
        DistributedLock lockA = lock(a, PATH);
        DistributedLock lockB = lock(b, PATH);
        long previous = 0;
        for (int round = 0; round < 3; round++) {
            LockHandle h = (round % 2 == 0 ? lockA : lockB).acquire(Duration.ofSeconds(10));
            assertThat(h.token()).isGreaterThan(previous);
            previous = h.token();
            h.close();
            // The parent is empty now: delete it, as the server's container reaper would.
            assertThat(Nodes.delete(b, PATH, -1)).isTrue();
            assertThat(exists(a, PATH)).isFalse();
            // Unrelated writes in between do not matter: czxids are global.
            Nodes.create(b, "/noise-" + round, bytes("n"), CreateMode.PERSISTENT);
        }
        LockHandle last = lockA.acquire(Duration.ofSeconds(10));
        assertThat(last.token()).isGreaterThan(previous);
        assertThat(exists(a, PATH)).isTrue();
        last.close();
    }

    @Test
    void aWaiterIsServedInArrivalOrder() throws Exception {
        Coordinator a = connect();
        DistributedLock lockA = lock(a, PATH);
        LockHandle held = lockA.acquire(Duration.ofSeconds(10));
        List<Integer> order = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int id = i;
            DistributedLock lock = lock(connect(), PATH);
            Thread t = new Thread(() -> {
                try (LockHandle h = lock.acquire(Duration.ofSeconds(30))) {
                    synchronized (order) {
                        order.add(h.isValid() ? id : -id);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            threads.add(t);
            int expected = i + 2;
            await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == expected);
        }
        held.close();
        for (Thread t : threads) {
            t.join(20_000);
        }
        assertThat(order).containsExactly(0, 1, 2);
    }
    /**
     * A waiter whose deletion-watched predecessor is itself a waiter that gives up must not take the
     * lock: only the deletion of the one znode ahead frees a waiter without a new read of the queue.
     */
    @Test
    void aWaiterBehindAWaiterThatGivesUpKeepsWaitingForTheHolder() throws Exception {
        Coordinator a = connect();
        LockHandle held = lock(a, PATH).acquire(Duration.ofSeconds(10));
        DistributedLock quitter = lock(connect(), PATH);
        DistributedLock patient = lock(connect(), PATH);
        AtomicReference<Throwable> quit = new AtomicReference<>();
        Thread first = new Thread(() -> {
            try {
                quitter.acquire(Duration.ofSeconds(3)).close();
            } catch (Throwable t) {
                quit.set(t);
            }
        });
        first.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 2);
        AtomicReference<LockHandle> got = new AtomicReference<>();
        Thread second = new Thread(() -> {
            try {
                got.set(patient.acquire(Duration.ofSeconds(30)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        second.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 3);

        first.join(20_000);
        assertThat(quit.get()).isInstanceOf(OperationTimeoutException.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 2);
        // The holder still holds: the patient waiter goes on waiting.
        await().during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(5))
                .until(() -> got.get() == null && held.isValid());

        held.close();
        second.join(20_000);
        LockHandle next = java.util.Objects.requireNonNull(got.get(), "the patient waiter got no handle");
        assertThat(next.isValid()).isTrue();
        assertThat(next.token()).isGreaterThan(held.token());
        next.close();
    }
}
