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

import io.statesync.core.OperationTimeoutException;
import io.statesync.core.testing.FakeTicker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DeadlineTest {

    @Test
    void theTimeLeftIsReadFromTheGivenTicker() {
        FakeTicker ticker = new FakeTicker();
        Deadline d = Deadline.after(ticker, Duration.ofHours(1));
        assertThat(d.remainingNanos()).isEqualTo(Duration.ofHours(1).toNanos());
        ticker.advance(Duration.ofMinutes(59));
        assertThat(d.remainingNanos()).isEqualTo(Duration.ofMinutes(1).toNanos());
        assertThat(d.passed()).isFalse();
        ticker.advance(Duration.ofMinutes(2));
        assertThat(d.remainingNanos()).isZero();
        assertThat(d.passed()).isTrue();
    }

    @Test
    void awaitingAFutureEndsAtTheDeadline() {
        Deadline d = Deadline.after(Duration.ofMillis(50));
        long start = System.nanoTime();
        assertThatThrownBy(() -> d.await(new CompletableFuture<String>())).isInstanceOf(TimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(45));
        assertThat(d.passed()).isTrue();
        assertThat(d.remainingNanos()).isZero();
    }

    @Test
    void aDoneFutureIsReturnedEvenAfterTheDeadline() throws Exception {
        Deadline d = Deadline.after(Duration.ZERO);
        assertThat(d.await(CompletableFuture.completedFuture("x"))).isEqualTo("x");
    }

    @Test
    void sleepIsCutShortByTheDeadlineAndAnswersAnInterrupt() throws Exception {
        Deadline d = Deadline.after(Duration.ofMillis(20));
        assertThat(d.sleep(Duration.ofMinutes(1).toNanos())).isFalse();
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Deadline.after(Duration.ofMinutes(1))
                        .sleep(Duration.ofSeconds(30).toNanos()))
                .isInstanceOf(InterruptedException.class);
    }

    @Test
    void errorsSayTheOutcomeAndAnInterruptIsKept() {
        Deadline d = Deadline.after(Duration.ofSeconds(2));
        OperationTimeoutException unknown = d.expired("/a", "update of /a", OperationTimeoutException.Outcome.UNKNOWN);
        assertThat(unknown.outcome()).isEqualTo(OperationTimeoutException.Outcome.UNKNOWN);
        assertThat(unknown).hasMessageContaining("update of /a").hasMessageContaining("PT2S");
        assertThat(unknown.path()).isEqualTo("/a");
        OperationTimeoutException interrupted =
                Deadline.interrupted("/a", "read of /a", OperationTimeoutException.Outcome.NOT_APPLIED);
        assertThat(Thread.interrupted()).as("flag set again").isTrue();
        assertThat(interrupted.outcome()).isEqualTo(OperationTimeoutException.Outcome.NOT_APPLIED);
        assertThat(interrupted).hasMessageContaining("interrupted");
    }

    @Test
    void minIsTheEarlierAndHugeTimeoutsDoNotOverflow() {
        Deadline near = Deadline.after(Duration.ofSeconds(1));
        Deadline far = Deadline.after(Duration.ofDays(365 * 1000L));
        assertThat(near.min(far)).isSameAs(near);
        assertThat(far.min(near)).isSameAs(near);
        assertThat(far.remainingNanos()).isPositive();
        assertThat(Deadline.after(Duration.ofMillis(-5)).passed()).isTrue();
        assertThatThrownBy(() -> Deadline.checkTimeout(Duration.ofMillis(-1), "timeout"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
    }
}
