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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The delivery engine's contract, checked directly (no server needed). */
@Timeout(30)
class ListenerSetTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ListenerSet<IntConsumer> set = new ListenerSet<>("test", pool);

    @AfterEach
    void shutdown() throws InterruptedException {
        set.close();
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private void publish(int i) {
        set.publish("event " + i, l -> l.accept(i));
    }

    @Test
    void eachListenerGetsEveryEventInOrder() {
        List<Integer> a = new CopyOnWriteArrayList<>();
        List<Integer> b = new CopyOnWriteArrayList<>();
        set.add(a::add);
        set.add(b::add);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            publish(i);
            expected.add(i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> a.size() == 2000 && b.size() == 2000);
        assertThat(a).containsExactlyElementsOf(expected);
        assertThat(b).containsExactlyElementsOf(expected);
    }

    @Test
    void callsToOneListenerNeverOverlap() throws InterruptedException {
        AtomicInteger inside = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        set.add(i -> {
            if (inside.incrementAndGet() > 1) {
                overlapped.set(true);
            }
            calls.incrementAndGet();
            inside.decrementAndGet();
        });
        // Publish from four threads at once.
        ExecutorService publishers = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            publishers.execute(() -> {
                for (int i = 0; i < 500; i++) {
                    publish(i);
                }
            });
        }
        publishers.shutdown();
        assertThat(publishers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 2000);
        assertThat(overlapped).isFalse();
    }

    @Test
    void aThrowingListenerIsIsolatedAndKeepsReceiving() {
        AtomicInteger thrower = new AtomicInteger();
        List<Integer> healthy = new CopyOnWriteArrayList<>();
        set.add(i -> {
            thrower.incrementAndGet();
            throw new IllegalStateException("injected");
        });
        set.add(healthy::add);
        for (int i = 0; i < 10; i++) {
            publish(i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> healthy.size() == 10 && thrower.get() == 10);
        assertThat(healthy).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void aSlowListenerDoesNotDelayTheOthers() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> fast = new CopyOnWriteArrayList<>();
        List<Integer> slow = new CopyOnWriteArrayList<>();
        set.add(i -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slow.add(i);
        });
        set.add(fast::add);
        for (int i = 0; i < 5; i++) {
            publish(i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fast.size() == 5);
        assertThat(slow).isEmpty();
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> slow.size() == 5);
        assertThat(slow).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void nothingStartsAfterRemoval() throws InterruptedException {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        IntConsumer listener = i -> {
            seen.add(i);
            if (i == 0) {
                inFirst.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        set.add(listener);
        publish(0);
        publish(1);
        publish(2);
        assertThat(inFirst.await(10, TimeUnit.SECONDS)).isTrue();
        // Events 1 and 2 are queued behind the running call; removal drops them.
        assertThat(set.remove(listener)).isTrue();
        assertThat(set.remove(listener)).isFalse();
        release.countDown();
        List<Integer> witness = new CopyOnWriteArrayList<>();
        set.add(witness::add);
        publish(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> witness.size() == 1);
        assertThat(seen).containsExactly(0);
    }

    @Test
    void nothingAfterCloseAndAddingIsRefused() {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        set.add(seen::add);
        publish(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
        set.close();
        set.close();
        publish(1);
        assertThat(set.size()).isZero();
        assertThat(seen).containsExactly(0);
        assertThatThrownBy(() -> set.add(seen::add))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void enqueueDoesNotCallUntilDispatch() {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        set.add(seen::add, Runnable::run);
        set.enqueue("e", l -> l.accept(7));
        assertThat(seen).isEmpty();
        set.dispatch();
        assertThat(seen).containsExactly(7);
    }

    @Test
    void enqueueToReachesOnlyThatListener() {
        List<Integer> a = new CopyOnWriteArrayList<>();
        List<Integer> b = new CopyOnWriteArrayList<>();
        IntConsumer la = a::add;
        set.add(la, Runnable::run);
        set.add(b::add, Runnable::run);
        set.enqueueTo(la, "initial", l -> l.accept(1));
        set.dispatch();
        assertThat(a).containsExactly(1);
        assertThat(b).isEmpty();
    }

    @Test
    void aRejectingExecutorFallsBackToTheCallingThread() {
        List<String> threads = new CopyOnWriteArrayList<>();
        set.add(i -> threads.add(Thread.currentThread().getName()), task -> {
            throw new RejectedExecutionException("full");
        });
        publish(1);
        assertThat(threads).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void aListenerMayPublishReentrantlyWithoutReordering() {
        List<Integer> seen = new ArrayList<>();
        set.add(
                i -> {
                    seen.add(i);
                    if (i == 0) {
                        publish(1);
                        seen.add(100);
                    }
                },
                Runnable::run);
        publish(0);
        assertThat(seen).containsExactly(0, 100, 1);
    }
}
