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
package io.statesync.spring.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.integration.support.locks.LockRegistry;

/** The lock registry on two nodes (two coordinators) against a real ZooKeeper. */
@Timeout(90)
class StateSyncLockRegistryTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final String ROOT = StateSyncLockRegistry.DEFAULT_ROOT_PATH;

    private TestNodes nodes;
    private ExecutorService background;

    @BeforeEach
    void setUp() {
        nodes = new TestNodes(zk);
        background = nodes.background();
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close(); // stops the background work first, then closes the nodes
    }

    private StateSyncLockRegistry registry(Coordinator c) {
        return nodes.closeLater(StateSyncLockRegistry.builder(c).build());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void threadsOnTwoNodesNeverOverlapAndTokensStrictlyIncrease() throws Exception {
        // Used through Spring Integration's own LockRegistry API (executeLocked: lockInterruptibly, unlock).
        List<LockRegistry<FencedLock>> registries = List.of(registry(nodes.connect()), registry(nodes.connect()));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            LockRegistry<FencedLock> registry = registries.get(t % 2);
            workers.add(background.submit(() -> {
                for (int i = 0; i < 15; i++) {
                    registry.executeLocked("orders", () -> {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        tokens.add(registry.obtain("orders").fencingToken());
                        Thread.yield();
                        inside.decrementAndGet();
                    });
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get(60, TimeUnit.SECONDS);
        }
        assertThat(overlaps).hasValue(0);
        assertThat(tokens).hasSize(60);
        for (int i = 1; i < tokens.size(); i++) {
            assertThat(tokens.get(i)).as("token %d", i).isGreaterThan(tokens.get(i - 1));
        }
    }

    @Test
    void theOwnerThreadReentersAndOnlyItMayUnlock() throws Exception {
        StateSyncLockRegistry onA = registry(nodes.connect());
        StateSyncLockRegistry onB = registry(nodes.connect());
        FencedLock lock = onA.obtain("batch");
        assertThat(onA.obtain("batch")).isSameAs(lock);

        lock.lock();
        long token = lock.fencingToken();
        assertThat(lock.tryLock()).isTrue(); // reentrant, as ZookeeperLockRegistry's locks are
        assertThat(lock.tryLock(1, TimeUnit.SECONDS)).isTrue();
        assertThat(lock.fencingToken()).isEqualTo(token);
        assertThat(lock.isValid()).isTrue();

        // another thread of this process: excluded, not the owner
        assertThat(background.submit(() -> lock.tryLock()).get(20, TimeUnit.SECONDS))
                .isFalse();
        assertThat(background
                        .submit(() -> {
                            try {
                                lock.unlock();
                                return null;
                            } catch (IllegalMonitorStateException e) {
                                return e;
                            }
                        })
                        .get(20, TimeUnit.SECONDS))
                .isInstanceOf(IllegalMonitorStateException.class)
                .hasMessageContaining("'batch'");
        assertThat(background.submit(lock::isValid).get(20, TimeUnit.SECONDS)).isFalse();
        assertThatThrownBy(() -> background.submit(lock::fencingToken).get(20, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalMonitorStateException.class);

        lock.unlock();
        lock.unlock();
        assertThat(onB.obtain("batch").tryLock()).isFalse(); // still held once
        lock.unlock();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);

        FencedLock other = onB.obtain("batch");
        assertThat(other.tryLock(20, TimeUnit.SECONDS)).isTrue();
        assertThat(other.fencingToken()).isGreaterThan(token);
        other.unlock();
        assertThatThrownBy(other::newCondition).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aCrashedHolderFreesTheLockAtOnce() throws Exception {
        Coordinator a = nodes.connect();
        StateSyncLockRegistry onA = registry(a);
        StateSyncLockRegistry onB = registry(nodes.connect());
        FencedLock held = onA.obtain("invoices");
        held.lock();
        long token = held.fencingToken();
        assertThat(onB.obtain("invoices").tryLock()).isFalse();

        a.close(); // the node dies without unlocking

        FencedLock next = onB.obtain("invoices");
        assertThat(next.tryLock(20, TimeUnit.SECONDS)).isTrue();
        assertThat(next.fencingToken()).isGreaterThan(token);
        assertThat(held.isValid()).isFalse();
        held.unlock(); // only cleans up
        next.unlock();
    }

    @Test
    void aHolderWhoseSessionExpiresIsToldAndRefused() throws Exception {
        Coordinator a = nodes.connect();
        Coordinator b = nodes.connect();
        b.curatorFramework().create().forPath("/invoices", bytes("0"));
        StateSyncLockRegistry onA = registry(a);
        StateSyncLockRegistry onB = registry(b);
        List<String> lostKeys = new CopyOnWriteArrayList<>();
        List<LockLostException> reasons = new CopyOnWriteArrayList<>();
        onA.addLockLostListener((lock, reason) -> {
            lostKeys.add(lock.key());
            reasons.add(reason);
        });

        FencedLock stale = onA.obtain("invoices");
        stale.lock();
        long staleToken = stale.fencingToken();
        CountDownLatch waiting = new CountDownLatch(1);
        Future<Long> successor = background.submit(() -> {
            FencedLock next = onB.obtain("invoices");
            waiting.countDown();
            assertThat(next.tryLock(30, TimeUnit.SECONDS)).isTrue();
            next.write(GuardedWrite.of().setData("/invoices", bytes("successor"), -1));
            long token = next.fencingToken();
            next.unlock();
            return token;
        });
        assertThat(waiting.await(20, TimeUnit.SECONDS)).isTrue();

        nodes.expire(a);

        assertThat(successor.get(30, TimeUnit.SECONDS)).isGreaterThan(staleToken);
        await().atMost(Duration.ofSeconds(20)).until(() -> !stale.isValid());
        await().atMost(Duration.ofSeconds(20)).until(() -> lostKeys.contains("invoices"));
        assertThat(reasons.get(0).path()).startsWith(ROOT + "/invoices/");
        assertThat(stale.isHeldByCurrentThread()).isTrue(); // it must still unlock
        assertThatThrownBy(() -> stale.write(GuardedWrite.of().setData("/invoices", bytes("stale"), -1)))
                .isInstanceOf(LockLostException.class);
        assertThat(b.curatorFramework().getData().forPath("/invoices")).isEqualTo(bytes("successor"));
        stale.unlock();

        // A's registry works again on its new session
        assertThat(stale.tryLock(20, TimeUnit.SECONDS)).isTrue();
        assertThat(stale.isValid()).isTrue();
        stale.unlock();
    }

    @Test
    void waitsAreBoundedAndInterruptibleAndLeaveNoWaiterBehind() throws Exception {
        Coordinator b = nodes.connect();
        StateSyncLockRegistry onA = registry(nodes.connect());
        StateSyncLockRegistry onB = registry(b);
        FencedLock held = onA.obtain("jobs");
        held.lock();

        Lock waiter = onB.obtain("jobs");
        long start = System.nanoTime();
        assertThat(waiter.tryLock(1, TimeUnit.SECONDS)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(1))
                .isLessThan(Duration.ofSeconds(15));
        assertThat(waiter.tryLock(0, TimeUnit.SECONDS)).isFalse();

        CountDownLatch started = new CountDownLatch(1);
        Future<Throwable> interrupted = background.submit(() -> {
            started.countDown();
            try {
                waiter.lockInterruptibly();
                return new AssertionError("acquired");
            } catch (InterruptedException e) {
                return e;
            }
        });
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestNodes.children(b, ROOT + "/jobs").size() == 2);
        background.shutdownNow(); // interrupts the waiter
        assertThat(interrupted.get(20, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestNodes.children(b, ROOT + "/jobs").size() == 1);
        held.unlock();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestNodes.children(b, ROOT + "/jobs").isEmpty());
    }

    @Test
    void inAPartitionTryLockReturnsByItsTimeAndUnlockWithinTwoSeconds() throws Exception {
        TcpProxy proxy = nodes.closeLater(TcpProxy.start(zk.connectString()));
        StateSyncLockRegistry registry = registry(nodes.connect(proxy.connectString(), Duration.ofMillis(1500)));
        FencedLock held = registry.obtain("held");
        held.lock();
        FencedLock cut = registry.obtain("cut");
        assertThat(cut.tryLock()).isTrue();
        cut.unlock();

        proxy.blackhole(); // silent: no answer, no error, well within the 20 s session
        long start = System.nanoTime();
        assertThat(cut.tryLock(2, TimeUnit.SECONDS)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2000 + 2500));

        start = System.nanoTime();
        assertThat(cut.tryLock()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500 + 2500));
        assertThat(cut.isHeldByCurrentThread()).isFalse();

        start = System.nanoTime();
        held.unlock();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2000 + 2500));
        proxy.pass();
    }

    @Test
    void badKeysAndRootPathsAreRefusedByName() throws Exception {
        Coordinator c = nodes.connect();
        StateSyncLockRegistry registry = registry(c);
        assertThatThrownBy(() -> registry.obtain("orders/42"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'orders/42'")
                .hasMessageContaining("'/'");
        assertThatThrownBy(() -> registry.obtain(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> registry.obtain("."))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'.'");
        assertThatThrownBy(() -> registry.obtain("a\u0000b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0000");
        assertThatThrownBy(() -> registry.obtain(42))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Integer")
                .hasMessageContaining("42");
        assertThatThrownBy(() ->
                        StateSyncLockRegistry.builder(c).rootPath("locks/").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'locks/'");
        // a key with characters that are fine in ZooKeeper maps to its own znode
        FencedLock lock = registry.obtain("order-42:eu.west");
        assertThat(lock.lockPath()).isEqualTo(ROOT + "/order-42:eu.west");
        assertThat(lock.tryLock()).isTrue();
        lock.unlock();
    }

    @Test
    void expiryForgetsOnlyUnusedLocks() throws Exception {
        StateSyncLockRegistry registry = registry(nodes.connect());
        FencedLock held = registry.obtain("held");
        FencedLock idle = registry.obtain("idle");
        held.lock();
        idle.lock();
        idle.unlock();

        registry.expireUnusedOlderThan(0);

        assertThat(registry.obtain("held")).isSameAs(held);
        FencedLock renewed = registry.obtain("idle");
        assertThat(renewed).isNotSameAs(idle);
        assertThat(renewed.tryLock()).isTrue();
        assertThat(idle.tryLock()).isFalse(); // the forgotten object still excludes, through ZooKeeper
        renewed.unlock();
        held.unlock();
        assertThatThrownBy(() -> registry.expireUnusedOlderThan(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeReleasesEveryHoldingAndLeavesNoZnodeAndNoThread() throws Exception {
        java.util.Set<String> threadsBefore = TestNodes.liveThreadNames();
        Coordinator a = nodes.connect();
        Coordinator b = nodes.connect();
        StateSyncLockRegistry onA = StateSyncLockRegistry.builder(a).build();
        FencedLock one = onA.obtain("one");
        FencedLock two = onA.obtain("two");
        one.lock();
        two.lock();
        assertThat(TestNodes.children(b, ROOT + "/one")).hasSize(1);

        onA.close();
        onA.close(); // idempotent

        assertThat(one.isValid()).isFalse();
        one.unlock(); // cleans up without error
        two.unlock();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestNodes.children(b, ROOT + "/one").isEmpty()
                        && TestNodes.children(b, ROOT + "/two").isEmpty());
        assertThatThrownBy(() -> onA.obtain("one"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(one::lock).isInstanceOf(IllegalStateException.class);
        StateSyncLockRegistry onB = registry(b);
        assertThat(onB.obtain("one").tryLock()).isTrue();
        onB.obtain("one").unlock();

        nodes.close();
        // the registry has no thread of its own; the coordinators' are gone with them
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestNodes.liveThreadNames().stream()
                        .filter(n -> !threadsBefore.contains(n))
                        .noneMatch(n -> n.matches("(?i).*(statesync|curator|EventThread|SendThread).*")));
    }
}
