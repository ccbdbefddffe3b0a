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

import io.statesync.core.internal.Deadline;
import io.statesync.core.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The wait bound of a lock waiter on a fake ticker, no server: a waiter wakes on a signal, and gives
 * up as soon as its deadline has passed by the coordinator's ticker (never waiting it out in real
 * time once the ticker says it is over).
 */
@Timeout(10)
class LockWaitTest {
    private final FakeTicker ticker = new FakeTicker();

    @Test
    void aWaiterWhoseDeadlinePassedOnTheTickerGivesUpAtOnce() throws Exception {
        Attempt attempt = new Attempt();
        Deadline deadline = Deadline.after(ticker, Duration.ofHours(1));
        ticker.advance(Duration.ofHours(1));
        long start = System.nanoTime();
        assertThat(attempt.await(deadline)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aSignalWinsOverAPassedDeadlineAndIsConsumedOnce() throws Exception {
        Attempt attempt = new Attempt();
        Deadline passed = Deadline.after(ticker, Duration.ZERO);
        attempt.signal();
        assertThat(attempt.await(passed)).isTrue();
        assertThat(attempt.await(passed)).isFalse();
    }

    @Test
    void aSignalWakesAWaiterLongBeforeItsDeadline() throws Exception {
        Attempt attempt = new Attempt();
        CompletableFuture<Boolean> woken = CompletableFuture.supplyAsync(() -> {
            try {
                return attempt.await(Deadline.after(ticker, Duration.ofHours(1)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        attempt.signal();
        assertThat(woken.get(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aRestartBackoffNeverOutlastsTheCallersDeadline() {
        Deadline caller = Deadline.after(ticker, Duration.ofMillis(120));
        Deadline backoff = Deadline.after(ticker, Duration.ofMillis(200));
        assertThat(caller.min(backoff)).isSameAs(caller);
        ticker.advance(Duration.ofMillis(120));
        assertThat(caller.min(backoff).passed()).isTrue();
    }
}
