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

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
/** {@link Deadline#awaitWhile}: the one bounded wait on a monitor. */
class DeadlineAwaitWhileTest {
    private final Object monitor = new Object();
    private boolean blocked = true;

    @Test
    void returnsTrueOnceANotifiedConditionClears() throws Exception {
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> {
            synchronized (monitor) {
                try {
                    return Deadline.after(Duration.ofSeconds(20)).awaitWhile(monitor, () -> blocked);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        synchronized (monitor) {
            blocked = false;
            monitor.notifyAll();
        }
        assertThat(waited.get(20, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void returnsFalseWhenTheDeadlinePassesFirstAndAtOnceForAPastDeadline() throws Exception {
        synchronized (monitor) {
            long start = System.nanoTime();
            assertThat(Deadline.after(Duration.ofMillis(50)).awaitWhile(monitor, () -> blocked))
                    .isFalse();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
            assertThat(Deadline.after(Duration.ZERO).awaitWhile(monitor, () -> blocked))
                    .isFalse();
            assertThat(Deadline.after(Duration.ZERO).awaitWhile(monitor, () -> false))
                    .isTrue();
        }
    }

    @Test
    void anInterruptEndsTheWait() {
        Thread.currentThread().interrupt();
        synchronized (monitor) {
            assertThatThrownBy(() -> Deadline.after(Duration.ofSeconds(20)).awaitWhile(monitor, () -> blocked))
                    .isInstanceOf(InterruptedException.class);
        }
        assertThat(Thread.interrupted()).isFalse();
    }
}
