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
package io.statesync.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Coordinator;
import io.statesync.core.Listenable;
import io.statesync.core.Recipe;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every recipe that delivers through {@link StateListener} keeps, on top of the
 * {@link LifecycleContract}. A recipe's test extends this class and says how to build the recipe
 * (every instance over the same ZooKeeper data) and how to cause changes from another client; the
 * suite checks the delivery rules against a real server.
 *
 * @param <T> the listener value type
 * @param <R> the recipe type
 */
@Timeout(60)
public abstract class ListenerContract<T, R extends Recipe & Listenable<T>> extends LifecycleContract<R> {
    private ExecutorService slowExecutor;

    /**
     * Makes the i-th change (i = 1, 2, ...) through {@code writer}, a separate client: each call must
     * lead every started recipe instance to deliver at least one more change to its listeners.
     *
     * @param writer a coordinator other than the recipes'
     * @param i the change number
     */
    protected abstract void causeChange(Coordinator writer, int i) throws Exception;

    /**
     * Whether a change is the one caused by {@code causeChange(writer, i)}. The default accepts
     * any change; recipes whose changes carry the number should check it.
     *
     * @param change a delivered change
     * @param i the change number
     * @return {@code true} if it reflects change i (or a later one)
     */
    protected boolean reflects(StateChange<T> change, int i) {
        return true;
    }

    @BeforeEach
    final void startSlowExecutor() {
        slowExecutor = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    final void stopSlowExecutor() throws InterruptedException {
        slowExecutor.shutdownNow();
        assertThat(slowExecutor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Records every change; knows when it has seen change i. */
    private final class Recorder implements StateListener<T> {
        final List<StateChange<T>> changes = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(StateChange<T> change) {
            changes.add(change);
        }

        boolean saw(int i) {
            return changes.stream().anyMatch(c -> reflects(c, i));
        }
    }

    @Test
    void everyListenerSeesTheSameChangesInOrderAndASlowOneDelaysOnlyItself() throws Exception {
        try (R recipe = newRecipe(coordinator)) {
            Recorder fast = new Recorder();
            Recorder slow = new Recorder();
            CountDownLatch release = new CountDownLatch(1);
            recipe.addListener(fast);
            recipe.addListener(
                    change -> {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        slow.onChange(change);
                    },
                    slowExecutor);
            recipe.start();
            int n = 5;
            for (int i = 1; i <= n; i++) {
                causeChange(writer, i);
                int seen = i;
                await().atMost(Duration.ofSeconds(10)).until(() -> fast.saw(seen));
            }
            // The slow listener is still blocked on its first change; the fast one has them all.
            assertThat(slow.changes).isEmpty();
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> slow.changes.size() == fast.changes.size());
            assertThat(slow.changes).containsExactlyElementsOf(fast.changes);
        }
    }

    @Test
    void aThrowingListenerIsIsolated() throws Exception {
        try (R recipe = newRecipe(coordinator)) {
            AtomicInteger thrown = new AtomicInteger();
            Recorder healthy = new Recorder();
            recipe.addListener(change -> {
                thrown.incrementAndGet();
                throw new IllegalStateException("listener failure injected by the contract test");
            });
            recipe.addListener(healthy);
            recipe.start();
            for (int i = 1; i <= 3; i++) {
                causeChange(writer, i);
                int seen = i;
                await().atMost(Duration.ofSeconds(10)).until(() -> healthy.saw(seen));
            }
            // The thrower stays registered and is called for later changes too.
            await().atMost(Duration.ofSeconds(10)).until(() -> thrown.get() == healthy.changes.size());
        }
    }

    @Test
    void noCallAfterRemovalOrClose() throws Exception {
        try (R witnessRecipe = newRecipe(coordinator)) {
            R recipe = newRecipe(coordinator);
            Recorder removed = new Recorder();
            Recorder closed = new Recorder();
            Recorder witness = new Recorder();
            recipe.addListener(removed);
            witnessRecipe.addListener(witness);
            recipe.start();
            witnessRecipe.start();
            R second = newRecipe(coordinator);
            second.addListener(closed);
            second.start();

            causeChange(writer, 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> removed.saw(1) && closed.saw(1) && witness.saw(1));
            assertThat(recipe.removeListener(removed)).isTrue();
            assertThat(recipe.removeListener(removed)).isFalse();
            second.close();
            int removedCount = removed.changes.size();
            int closedCount = closed.changes.size();

            causeChange(writer, 2);
            causeChange(writer, 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> witness.saw(3));
            assertThat(removed.changes).hasSize(removedCount);
            assertThat(closed.changes).hasSize(closedCount);
            recipe.close();
            assertThatThrownBy(() -> recipe.addListener(change -> {})).isInstanceOf(IllegalStateException.class);
        }
    }
}
