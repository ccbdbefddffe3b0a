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
package io.statesync.recipes.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.internal.Deadline;
import io.statesync.core.testing.FakeTicker;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The turn bound of {@link Turns} on a fake ticker, without a server: a writer holds back while
 * another writer's ticket is ahead, but no longer than its bound as the coordinator's ticker reads it.
 * Each case runs in milliseconds although the bound is an hour.
 */
@Timeout(30)
class TurnsTest {
    private static final Duration HOUR = Duration.ofHours(1);

    @Test
    void aWriterHoldsBackUntilTheTickerPassesTheBound() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Object monitor = new Object();
        Deadline bound = Deadline.after(ticker, HOUR);
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> {
            synchronized (monitor) {
                return Turns.courtesyWait(monitor, () -> true, bound);
            }
        });

        // Woken before the bound has passed on the ticker, the writer goes on holding back.
        ticker.advance(HOUR.minusSeconds(1));
        notifyAll(monitor);
        assertThat(waited).isNotCompleted();
        assertThat(bound.passed()).isFalse();

        // Once the ticker passes the bound, the next wake-up ends the wait: the writer writes anyway.
        ticker.advance(Duration.ofSeconds(1));
        while (!waited.isDone()) {
            notifyAll(monitor);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        assertThat(waited.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aWriterStopsHoldingBackWhenNoTicketIsAheadAnyMore() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Object monitor = new Object();
        AtomicBoolean ahead = new AtomicBoolean(true);
        CountDownLatch checked = new CountDownLatch(1);
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> {
            synchronized (monitor) {
                return Turns.courtesyWait(
                        monitor,
                        () -> {
                            checked.countDown();
                            return ahead.get();
                        },
                        Deadline.after(ticker, HOUR));
            }
        });
        // The writer found a ticket ahead; it holds the monitor until it waits on it.
        assertThat(checked.await(10, TimeUnit.SECONDS)).isTrue();
        synchronized (monitor) {
            ahead.set(false);
            monitor.notifyAll();
        }
        assertThat(waited.get(10, TimeUnit.SECONDS)).isTrue(); // it did hold back, and stopped with no time passed
    }

    @Test
    void aWriterWithNoTicketAheadDoesNotWaitEvenWithTheBoundPassed() {
        FakeTicker ticker = new FakeTicker();
        Object monitor = new Object();
        Deadline bound = Deadline.after(ticker, Duration.ZERO);
        synchronized (monitor) {
            assertThat(Turns.courtesyWait(monitor, () -> false, bound)).isFalse();
            // Blocked, with the bound already passed: it counts as having held back, for no time.
            assertThat(Turns.courtesyWait(monitor, () -> true, bound)).isTrue();
        }
    }

    @Test
    void onlyAnotherInstancesEarlierTicketIsAhead() {
        TreeMap<Long, String> tickets = new TreeMap<>();
        String mine = "t-mine-";
        assertThat(Turns.anotherAhead(tickets, Long.MAX_VALUE, mine)).isFalse();

        tickets.put(5L, mine + "0000000005"); // an own orphan: never ahead
        assertThat(Turns.anotherAhead(tickets, Long.MAX_VALUE, mine)).isFalse();

        tickets.put(7L, "t-other-0000000007");
        tickets.put(6L, mine + "0000000006"); // the caller's own current ticket
        assertThat(Turns.anotherAhead(tickets, Long.MAX_VALUE, mine)).isTrue(); // holding none: 7 is ahead
        assertThat(Turns.anotherAhead(tickets, 6L, mine)).isFalse(); // holding 6: 7 comes after
        tickets.put(3L, "t-other-0000000003");
        assertThat(Turns.anotherAhead(tickets, 6L, mine)).isTrue(); // 3 comes first
    }

    private static void notifyAll(Object monitor) {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }
}
