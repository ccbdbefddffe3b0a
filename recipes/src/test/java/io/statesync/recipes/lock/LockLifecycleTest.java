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
import io.statesync.core.LifecycleState;
import io.statesync.core.Recipe;
import io.statesync.core.StateSyncException;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The recipe lifecycle for all three lock recipes (they deliver through {@link LockLostListener},
 * not {@code StateListener}, so these stand in for the shared contract suite): a second start is
 * refused, close is idempotent and releases what is held, a waiter is woken by close, no listener
 * call after close, options are validated in {@code build()}.
 */
@Timeout(60)
class LockLifecycleTest extends LockTestSupport {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final String PATH = "/locks/lifecycle";

    @Override
    ZooKeeperExtension zk() {
        return zk;
    }

    /** One recipe under test, seen through the operations the three share. */
    interface Subject extends Recipe {
        LockHandle acquire(Duration timeout) throws InterruptedException;

        Optional<LockHandle> tryAcquire() throws InterruptedException;

        void addLockLostListener(LockLostListener listener);
    }

    static Stream<Arguments> recipes() {
        BiFunction<Coordinator, String, Subject> mutex = (c, p) -> {
            DistributedLock l = DistributedLock.builder(c, p).build();
            return new Subject() {
                @Override
                public LockHandle acquire(Duration timeout) throws InterruptedException {
                    return l.acquire(timeout);
                }

                @Override
                public Optional<LockHandle> tryAcquire() throws InterruptedException {
                    return l.tryAcquire();
                }

                @Override
                public void addLockLostListener(LockLostListener listener) {
                    l.addLockLostListener(listener);
                }

                @Override
                public void start() {
                    l.start();
                }

                @Override
                public LifecycleState state() {
                    return l.state();
                }

                @Override
                public void close() {
                    l.close();
                }
            };
        };
        BiFunction<Coordinator, String, Subject> write = (c, p) -> {
            DistributedReadWriteLock l = DistributedReadWriteLock.builder(c, p).build();
            return new Subject() {
                @Override
                public LockHandle acquire(Duration timeout) throws InterruptedException {
                    return l.acquireWrite(timeout);
                }

                @Override
                public Optional<LockHandle> tryAcquire() throws InterruptedException {
                    return l.tryAcquireWrite();
                }

                @Override
                public void addLockLostListener(LockLostListener listener) {
                    l.addLockLostListener(listener);
                }

                @Override
                public void start() {
                    l.start();
                }

                @Override
                public LifecycleState state() {
                    return l.state();
                }

                @Override
                public void close() {
                    l.close();
                }
            };
        };
        BiFunction<Coordinator, String, Subject> semaphore = (c, p) -> {
            DistributedSemaphore l = DistributedSemaphore.builder(c, p, 1).build();
            return new Subject() {
                @Override
                public LockHandle acquire(Duration timeout) throws InterruptedException {
                    return l.acquire(timeout);
                }

                @Override
                public Optional<LockHandle> tryAcquire() throws InterruptedException {
                    return l.tryAcquire();
                }

                @Override
                public void addLockLostListener(LockLostListener listener) {
                    l.addLockLostListener(listener);
                }

                @Override
                public void start() {
                    l.start();
                }

                @Override
                public LifecycleState state() {
                    return l.state();
                }

                @Override
                public void close() {
                    l.close();
                }
            };
        };
        return Stream.of(
                Arguments.of("DistributedLock", mutex),
                Arguments.of("DistributedReadWriteLock (write side)", write),
                Arguments.of("DistributedSemaphore(1)", semaphore));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recipes")
    void aSecondStartIsRefusedAndNothingWorksBeforeStart(String name, BiFunction<Coordinator, String, Subject> make)
            throws Exception {
        Coordinator c = connect();
        Subject s = closeLater(make.apply(c, PATH));
        assertThat(s.state()).isEqualTo(LifecycleState.LATENT);
        assertThatThrownBy(() -> s.acquire(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
        s.start();
        assertThat(s.state()).isEqualTo(LifecycleState.STARTED);
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.acquire(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-0.001S");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recipes")
    void closeIsIdempotentReleasesWhatIsHeldWakesWaitersAndCallsNoListenerAfterwards(
            String name, BiFunction<Coordinator, String, Subject> make) throws Exception {
        Coordinator a = connect();
        Coordinator b = connect();
        Subject holder = make.apply(a, PATH);
        Lost lost = new Lost();
        holder.addLockLostListener(lost);
        holder.start();
        Subject waiter = make.apply(b, PATH);
        waiter.start();
        LockHandle held = holder.acquire(Duration.ofSeconds(10));

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<LockHandle> waiting = pool.submit(() -> waiter.acquire(Duration.ofSeconds(30)));
            await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 2);
            waiter.close();
            assertThatThrownBy(() -> waiting.get(20, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(StateSyncException.class)
                    .cause()
                    .satisfies(e ->
                            assertThat(((StateSyncException) e).reason()).isEqualTo(StateSyncException.Reason.CLOSED));
        } finally {
            pool.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 1);

        holder.close();
        holder.close();
        assertThat(holder.state()).isEqualTo(LifecycleState.CLOSED);
        assertThat(held.isValid()).isFalse();
        assertThat(queue(a, PATH)).isEmpty();
        assertThatThrownBy(holder::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> holder.addLockLostListener(lost)).isInstanceOf(IllegalStateException.class);

        // A released handle is not "lost": no listener call, now or after further events.
        Subject other = closeLater(make.apply(b, PATH));
        other.start();
        other.acquire(Duration.ofSeconds(10)).close();
        assertThat(lost.handles).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recipes")
    void closeBeforeStartIsAllowed(String name, BiFunction<Coordinator, String, Subject> make) throws Exception {
        Subject s = make.apply(connect(), PATH);
        s.close();
        assertThat(s.state()).isEqualTo(LifecycleState.CLOSED);
        assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void buildValidatesPathsAndOptionsNamingTheBadValue() throws Exception {
        Coordinator c = connect();
        assertThatThrownBy(() -> DistributedLock.builder(c, "/").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"/\"");
        assertThatThrownBy(() -> DistributedLock.builder(c, "locks/x").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("locks/x");
        assertThatThrownBy(() -> DistributedReadWriteLock.builder(c, "/a//b").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/a//b");
        assertThatThrownBy(() -> DistributedSemaphore.builder(c, "/s", 0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> DistributedSemaphore.builder(c, "/s", DistributedSemaphore.MAX_LEASES + 1)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(DistributedSemaphore.MAX_LEASES + 1));
        assertThat(DistributedSemaphore.builder(c, "/s", 3).build().maxLeases()).isEqualTo(3);
    }

    @Test
    void closingTheCoordinatorEndsTheHandlesAndFailsAcquiresFast() throws Exception {
        Coordinator c = connect();
        DistributedLock lock = lock(c, PATH);
        LockHandle handle = lock.acquire(Duration.ofSeconds(10));
        c.close();
        assertThat(handle.isValid()).isFalse();
        assertThatThrownBy(() -> lock.acquire(Duration.ofSeconds(30)))
                .isInstanceOf(StateSyncException.class)
                .satisfies(
                        e -> assertThat(((StateSyncException) e).reason()).isEqualTo(StateSyncException.Reason.CLOSED));
        handle.close();
        lock.close();
        assertThat(queue(connect(), PATH)).isEmpty();
    }
}
