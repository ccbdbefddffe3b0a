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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.javacrumbs.shedlock.core.ClockProvider;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockExtender;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.support.LockException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ShedLock provider on two nodes (two coordinators) against a real ZooKeeper. */
@Timeout(90)
class StateSyncLockProviderTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Duration LONG = Duration.ofMinutes(10);

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

    private StateSyncLockProvider provider(Coordinator c) {
        return nodes.closeLater(StateSyncLockProvider.builder(c).build());
    }

    private static LockConfiguration config(String name, Duration atMost, Duration atLeast) {
        return new LockConfiguration(ClockProvider.now(), name, atMost, atLeast);
    }

    private static FencedSimpleLock take(StateSyncLockProvider p, LockConfiguration config) {
        Optional<SimpleLock> lock = p.lock(config);
        assertThat(lock).as("lock %s", config.getName()).isPresent();
        return (FencedSimpleLock) lock.get();
    }

    @Test
    void twoNodesNeverRunTogetherAndTokensStrictlyIncrease() throws Exception {
        List<LockingTaskExecutor> executors = List.of(
                new DefaultLockingTaskExecutor(provider(nodes.connect())),
                new DefaultLockingTaskExecutor(provider(nodes.connect())));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> runs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            LockingTaskExecutor executor = executors.get(t % 2);
            runs.add(background.submit(() -> {
                int ran = 0;
                while (ran < 15) {
                    LockingTaskExecutor.TaskResult<Boolean> result = run(
                            executor,
                            () -> {
                                if (inside.incrementAndGet() != 1) {
                                    overlaps.incrementAndGet();
                                }
                                tokens.add(StateSyncLockProvider.currentFencingToken());
                                Thread.yield();
                                inside.decrementAndGet();
                                return true;
                            },
                            config("report", LONG, Duration.ZERO));
                    if (result.wasExecuted()) {
                        ran++;
                    }
                }
                return null;
            }));
        }
        for (Future<?> run : runs) {
            run.get(60, TimeUnit.SECONDS);
        }
        assertThat(overlaps).hasValue(0);
        assertThat(tokens).hasSize(60);
        for (int i = 1; i < tokens.size(); i++) {
            assertThat(tokens.get(i)).as("token %d", i).isGreaterThan(tokens.get(i - 1));
        }
    }

    @Test
    void aCrashedHolderFreesTheLockAtOnceNotAfterLockAtMostFor() throws Exception {
        Coordinator a = nodes.connect();
        StateSyncLockProvider onA = provider(a);
        StateSyncLockProvider onB = provider(nodes.connect());

        FencedSimpleLock held = take(onA, config("nightly", LONG, Duration.ZERO));
        assertThat(onB.lock(config("nightly", LONG, Duration.ZERO))).isEmpty();

        long crashed = System.nanoTime();
        a.close(); // the node dies without unlocking: its session ends with it

        AtomicReference<FencedSimpleLock> next = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            onB.lock(config("nightly", LONG, Duration.ZERO)).ifPresent(l -> next.set((FencedSimpleLock) l));
            return next.get() != null;
        });
        // lockAtMostFor is 10 minutes; the survivor got the lock within seconds
        assertThat(Duration.ofNanos(System.nanoTime() - crashed)).isLessThan(Duration.ofSeconds(30));
        assertThat(got(next).fencingToken()).isGreaterThan(held.fencingToken());
        assertThat(held.isValid()).isFalse();
        held.unlock(); // never throws for a lost lock
        got(next).unlock();
    }

    @Test
    void anExpiredHolderIsRefusedAndTheOtherNodeTakesOverAtOnce() throws Exception {
        Coordinator a = nodes.connect();
        Coordinator b = nodes.connect();
        b.curatorFramework().create().forPath("/report", bytes("0"));
        StateSyncLockProvider onA = provider(a);
        StateSyncLockProvider onB = provider(b);

        FencedSimpleLock stale = take(onA, config("report", LONG, Duration.ZERO));
        nodes.expire(a);

        AtomicReference<FencedSimpleLock> next = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            onB.lock(config("report", LONG, Duration.ZERO)).ifPresent(l -> next.set((FencedSimpleLock) l));
            return next.get() != null;
        });
        assertThat(got(next).fencingToken()).isGreaterThan(stale.fencingToken());
        got(next).write(GuardedWrite.of().setData("/report", bytes("successor"), -1));

        await().atMost(Duration.ofSeconds(20)).until(() -> !stale.isValid());
        assertThatThrownBy(() -> stale.write(GuardedWrite.of().setData("/report", bytes("stale"), -1)))
                .isInstanceOf(LockLostException.class);
        assertThat(b.curatorFramework().getData().forPath("/report")).isEqualTo(bytes("successor"));
        stale.unlock();
        got(next).unlock();
    }

    @Test
    void lockAtLeastForKeepsTheLockAfterAnEarlyUnlock() throws Exception {
        StateSyncLockProvider onA = provider(nodes.connect());
        StateSyncLockProvider onB = provider(nodes.connect());
        Duration atLeast = Duration.ofSeconds(3);

        long taken = System.nanoTime();
        FencedSimpleLock lock = take(onA, config("digest", LONG, atLeast));
        lock.unlock(); // the task ended at once
        assertThat(lock.isValid()).isFalse();

        // Neither node may run it again before lockAtLeastFor has passed.
        assertThat(onA.lock(config("digest", LONG, Duration.ZERO))).isEmpty();
        AtomicReference<FencedSimpleLock> next = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    Optional<SimpleLock> l = onB.lock(config("digest", LONG, Duration.ZERO));
                    if (l.isPresent()) {
                        assertThat(Duration.ofNanos(System.nanoTime() - taken))
                                .as("taken again before lockAtLeastFor passed")
                                // ShedLock's clock has millisecond steps: a little slack below the bound
                                .isGreaterThanOrEqualTo(atLeast.minusMillis(100));
                        next.set((FencedSimpleLock) l.get());
                    }
                    return next.get() != null;
                });
        assertThat(got(next).fencingToken()).isGreaterThan(lock.fencingToken());
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalStateException.class);
        got(next).unlock();
    }

    @Test
    void lockAtMostForReleasesARunningTaskAndItsWritesAreRefused() throws Exception {
        Coordinator a = nodes.connect();
        Coordinator b = nodes.connect();
        b.curatorFramework().create().forPath("/report", bytes("0"));
        StateSyncLockProvider onA = provider(a);
        StateSyncLockProvider onB = provider(b);

        FencedSimpleLock running = take(onA, config("slow", Duration.ofSeconds(2), Duration.ZERO));
        AtomicReference<FencedSimpleLock> next = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            onB.lock(config("slow", LONG, Duration.ZERO)).ifPresent(l -> next.set((FencedSimpleLock) l));
            return next.get() != null;
        });
        assertThat(running.isValid()).isFalse();
        assertThat(got(next).fencingToken()).isGreaterThan(running.fencingToken());
        assertThatThrownBy(() -> running.write(GuardedWrite.of().setData("/report", bytes("late"), -1)))
                .isInstanceOf(LockLostException.class);
        running.unlock(); // the task ends later: no error
        assertThat(b.curatorFramework().getData().forPath("/report")).isEqualTo(bytes("0"));
        got(next).unlock();
    }

    @Test
    void withoutReleaseAfterLockAtMostForARunningTaskKeepsTheLock() throws Exception {
        StateSyncLockProvider onA = nodes.closeLater(StateSyncLockProvider.builder(nodes.connect())
                .releaseAfterLockAtMostFor(false)
                .build());
        StateSyncLockProvider onB = provider(nodes.connect());

        FencedSimpleLock running = take(onA, config("slow", Duration.ofMillis(500), Duration.ZERO));
        Instant past = Instant.now().plusSeconds(3);
        // well past lockAtMostFor, the other node still cannot take it
        await().pollDelay(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(10))
                .until(() -> Instant.now().isAfter(past));
        assertThat(onB.lock(config("slow", LONG, Duration.ZERO))).isEmpty();
        assertThat(running.isValid()).isTrue();
        running.unlock();
        FencedSimpleLock next = take(onB, config("slow", LONG, Duration.ZERO));
        assertThat(next.fencingToken()).isGreaterThan(running.fencingToken());
        next.unlock();
    }

    @Test
    void extendingKeepsTheTokenAndMovesLockAtMostFor() throws Exception {
        StateSyncLockProvider onA = provider(nodes.connect());
        StateSyncLockProvider onB = provider(nodes.connect());
        LockingTaskExecutor executor = new DefaultLockingTaskExecutor(onA);
        CountDownLatch extended = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        AtomicReference<FencedSimpleLock> before = new AtomicReference<>();
        AtomicReference<FencedSimpleLock> after = new AtomicReference<>();
        Future<?> task = background.submit(() -> {
            run(
                    executor,
                    () -> {
                        before.set(StateSyncLockProvider.currentLock().orElseThrow());
                        LockExtender.extendActiveLock(LONG, Duration.ZERO);
                        after.set(StateSyncLockProvider.currentLock().orElseThrow());
                        extended.countDown();
                        return finish.await(60, TimeUnit.SECONDS);
                    },
                    config("extended", Duration.ofSeconds(2), Duration.ZERO));
            return null;
        });
        assertThat(extended.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(got(after)).isNotSameAs(got(before));
        assertThat(got(after).fencingToken()).isEqualTo(got(before).fencingToken());
        assertThatThrownBy(() -> got(before).unlock()).isInstanceOf(IllegalStateException.class);

        // past the first lockAtMostFor (2 s) the extended lock still holds
        Instant past = Instant.now().plusSeconds(4);
        await().pollDelay(Duration.ofSeconds(4))
                .atMost(Duration.ofSeconds(10))
                .until(() -> Instant.now().isAfter(past));
        assertThat(got(after).isValid()).isTrue();
        assertThat(onB.lock(config("extended", LONG, Duration.ZERO))).isEmpty();

        finish.countDown();
        task.get(30, TimeUnit.SECONDS);
        FencedSimpleLock next = take(onB, config("extended", LONG, Duration.ZERO));
        assertThat(next.fencingToken()).isGreaterThan(got(after).fencingToken());
        // a lost lock cannot be extended
        next.unlock();
    }

    @Test
    void aLockExtendedOnAnotherThreadIsTheTasksCurrentLock() throws Exception {
        // ShedLock's KeepAliveLockProvider extends the task's lock from its own scheduler thread.
        StateSyncLockProvider onA = provider(nodes.connect());
        FencedSimpleLock first = take(onA, config("kept-alive", Duration.ofSeconds(30), Duration.ZERO));
        SimpleLock extended = background
                .submit(() ->
                        first.extend(Duration.ofSeconds(30), Duration.ZERO).orElseThrow())
                .get(20, TimeUnit.SECONDS);
        FencedSimpleLock current = StateSyncLockProvider.currentLock().orElseThrow();
        assertThat(current).isSameAs(extended);
        assertThat(current.fencingToken()).isEqualTo(first.fencingToken());
        extended.unlock();
        assertThat(StateSyncLockProvider.currentLock()).isEmpty();
    }

    @Test
    void aLostLockCannotBeExtended() throws Exception {
        Coordinator a = nodes.connect();
        StateSyncLockProvider onA = provider(a);
        FencedSimpleLock lock = take(onA, config("lost", LONG, Duration.ZERO));
        nodes.expire(a);
        await().atMost(Duration.ofSeconds(20)).until(() -> !lock.isValid());
        assertThat(lock.extend(LONG, Duration.ZERO)).isEmpty();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theTokenIsReachableOnlyOnTheThreadThatHoldsTheLockAndNestedLocksStack() throws Exception {
        StateSyncLockProvider onA = provider(nodes.connect());
        assertThat(StateSyncLockProvider.currentLock()).isEmpty();
        assertThatThrownBy(StateSyncLockProvider::currentFencingToken)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("holds no ShedLock lock");

        FencedSimpleLock outer = take(onA, config("outer", LONG, Duration.ZERO));
        FencedSimpleLock inner = take(onA, config("inner", LONG, Duration.ZERO));
        assertThat(StateSyncLockProvider.currentFencingToken()).isEqualTo(inner.fencingToken());
        assertThat(background
                        .submit(() -> StateSyncLockProvider.currentLock().isPresent())
                        .get(10, TimeUnit.SECONDS))
                .isFalse();
        inner.unlock();
        assertThat(StateSyncLockProvider.currentFencingToken()).isEqualTo(outer.fencingToken());
        outer.unlock();
        assertThat(StateSyncLockProvider.currentLock()).isEmpty();
        assertThat(outer.name()).isEqualTo("outer");
        assertThat(outer.lockPath()).isEqualTo(StateSyncLockProvider.DEFAULT_BASE_PATH + "/outer");
    }

    @Test
    void inAPartitionLockEndsAtTheOperationTimeoutAndUnlockWithinTwoSeconds() throws Exception {
        TcpProxy proxy = nodes.closeLater(TcpProxy.start(zk.connectString()));
        StateSyncLockProvider onA = provider(nodes.connect(proxy.connectString(), Duration.ofMillis(1500)));
        FencedSimpleLock held = take(onA, config("held", LONG, Duration.ZERO));
        take(onA, config("cut", LONG, Duration.ZERO)).unlock();

        proxy.blackhole(); // silent: no answer, no error, well within the 20 s session
        long start = System.nanoTime();
        assertThatThrownBy(() -> onA.lock(config("cut", LONG, Duration.ZERO)))
                .isInstanceOf(LockException.class)
                .hasMessageContaining("'cut'")
                .hasCauseInstanceOf(OperationTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500 + 2500));

        start = System.nanoTime();
        held.unlock();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2000 + 2500));
        proxy.pass();
    }

    @Test
    void badNamesAndBasePathsAreRefusedByName() throws Exception {
        Coordinator c = nodes.connect();
        StateSyncLockProvider onA = provider(c);
        assertThatThrownBy(() -> onA.lock(config("reports/daily", LONG, Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'reports/daily'")
                .hasMessageContaining("'/'");
        assertThatThrownBy(() -> onA.lock(config("..", LONG, Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'..'");
        assertThatThrownBy(() -> onA.lock(config("tab\there", LONG, Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+0009");
        assertThatThrownBy(() ->
                        StateSyncLockProvider.builder(c).basePath("shedlock").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'shedlock'");
        assertThatThrownBy(
                        () -> StateSyncLockProvider.builder(c).basePath("/a//b").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'/a//b'");
        // a lock in a newer release's data layout is reported, not treated as free
        c.curatorFramework().create().creatingParentsIfNeeded().forPath("/odd/x", bytes("statesync-format=99\n"));
        StateSyncLockProvider odd = nodes.closeLater(
                StateSyncLockProvider.builder(c).basePath("/odd").build());
        assertThatThrownBy(() -> odd.lock(config("x", LONG, Duration.ZERO)))
                .isInstanceOf(LockException.class)
                .hasMessageContaining("'x'");
    }

    @Test
    void closeReleasesEveryLockAndLeavesNoThreadAndNoZnode() throws Exception {
        Coordinator a = nodes.connect();
        Coordinator b = nodes.connect();
        StateSyncLockProvider onA = StateSyncLockProvider.builder(a).build();
        FencedSimpleLock held = take(onA, config("held", LONG, Duration.ZERO));
        FencedSimpleLock lingering = take(onA, config("lingering", LONG, Duration.ofMinutes(5)));
        lingering.unlock(); // kept for lockAtLeastFor by the timer thread
        assertThat(TestNodes.liveThreadNames()).anyMatch(n -> n.startsWith("statesync-shedlock-"));
        String base = StateSyncLockProvider.DEFAULT_BASE_PATH;
        assertThat(TestNodes.children(b, base + "/held")).hasSize(1);
        assertThat(TestNodes.children(b, base + "/lingering")).hasSize(1);

        onA.close();
        onA.close(); // idempotent

        assertThat(held.isValid()).isFalse();
        held.unlock(); // no error after close
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestNodes.liveThreadNames().stream().noneMatch(n -> n.startsWith("statesync-shedlock-")));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> TestNodes.children(b, base + "/held").isEmpty()
                        && TestNodes.children(b, base + "/lingering").isEmpty());
        assertThatThrownBy(() -> onA.lock(config("held", LONG, Duration.ZERO)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        // the other node gets both at once
        StateSyncLockProvider onB = provider(b);
        take(onB, config("held", LONG, Duration.ZERO)).unlock();
        take(onB, config("lingering", LONG, Duration.ZERO)).unlock();
    }

    /** ShedLock's executeWithLock, with its Throwable turned into an Exception for a Callable. */
    private static <T> LockingTaskExecutor.TaskResult<T> run(
            LockingTaskExecutor executor, LockingTaskExecutor.TaskWithResult<T> task, LockConfiguration config)
            throws Exception {
        try {
            return executor.executeWithLock(task, config);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static <T> T got(AtomicReference<T> ref) {
        T value = ref.get();
        assertThat(value).isNotNull();
        return java.util.Objects.requireNonNull(value);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
