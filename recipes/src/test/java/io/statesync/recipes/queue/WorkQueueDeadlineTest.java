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
package io.statesync.recipes.queue;

import static io.statesync.recipes.DeadlineProbe.assertEndsAtItsDeadline;
import static io.statesync.recipes.DeadlineProbe.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every blocking call of a work queue returns by its deadline behind a black-holed connection (a
 * silent partition: nothing is refused, nothing comes back), and an interrupt ends an offer under
 * way. The session timeout (20 s) is far longer than every deadline here, so nothing but the
 * deadline can end the calls in time. The stated slack is 1 s on a loaded 2-core machine.
 */
@Timeout(120)
class WorkQueueDeadlineTest {
    private static final Duration SLACK = Duration.ofSeconds(1);
    private static final Duration DEADLINE = Duration.ofMillis(800);

    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final DeadlineProbe probe = new DeadlineProbe();

    @AfterEach
    void closeAll() throws Exception {
        probe.close();
    }

    private <C extends AutoCloseable> C closeLater(C c) {
        return probe.closeLater(c);
    }

    private TcpProxy proxy() throws Exception {
        return probe.proxy(zk.connectString());
    }

    private WorkQueue<String> queue(TcpProxy proxy, Duration operationTimeout) throws InterruptedException {
        Coordinator c = probe.connect(proxy.connectString(), zk.namespace());
        WorkQueue<String> q = closeLater(WorkQueue.builder(c, "/q", Codec.utf8())
                .operationTimeout(operationTimeout)
                .build());
        q.start();
        return q;
    }

    @Test
    void anOfferSentIntoAPartitionEndsAtItsDeadlineWithTheOutcomeUnknown() throws Exception {
        TcpProxy proxy = proxy();
        WorkQueue<String> q = queue(proxy, Duration.ofSeconds(30));
        q.offer("first"); // the queue's znodes and this writer's znode exist: the next offer is one multi

        proxy.blackhole();
        long start = System.nanoTime();
        assertThatThrownBy(() -> q.offer("second", DEADLINE))
                .isInstanceOfSatisfying(OperationTimeoutException.class, e -> {
                    assertThat(e.outcome()).isEqualTo(Outcome.UNKNOWN);
                    assertThat(e).hasMessageContaining("position 1");
                });
        assertThat(millisSince(start))
                .isBetween(DEADLINE.toMillis() - 100, DEADLINE.plus(SLACK).toMillis());
        // After an offer in doubt the end of the queue is read again first: nothing sent, NOT_APPLIED.
        assertEndsAtItsDeadline(() -> q.offerAll(List.of("a", "b"), DEADLINE), DEADLINE, Outcome.NOT_APPLIED);
    }

    @Test
    void anOfferWithoutATimeoutIsBoundByTheQueuesOperationTimeout() throws Exception {
        TcpProxy proxy = proxy();
        WorkQueue<String> q = queue(proxy, DEADLINE);
        q.offer("first");

        proxy.blackhole();
        assertEndsAtItsDeadline(() -> q.offer("second"), DEADLINE, Outcome.UNKNOWN);
        assertEndsAtItsDeadline(() -> q.offerAll(List.of("a", "b")), DEADLINE, Outcome.NOT_APPLIED);
    }

    @Test
    void theFirstOfferToAFreshQueueEndsAtItsDeadlineHavingWrittenNothing() throws Exception {
        TcpProxy proxy = proxy();
        WorkQueue<String> q = queue(proxy, Duration.ofSeconds(30));

        proxy.blackhole(); // the queue's znodes are read (or created) first
        assertEndsAtItsDeadline(() -> q.offer("first", DEADLINE), DEADLINE, Outcome.NOT_APPLIED);
    }

    @Test
    void ackAndNackEndAtTheirDeadline() throws Exception {
        TcpProxy proxy = proxy();
        WorkQueue<String> q = queue(proxy, Duration.ofSeconds(30));
        q.offerAll(List.of("a", "b"));
        Claim<String> first = q.take(Duration.ofSeconds(10)).orElseThrow();
        Claim<String> second = q.take(Duration.ofSeconds(10)).orElseThrow();

        proxy.blackhole();
        assertEndsAtItsDeadline(() -> first.ack(DEADLINE), DEADLINE, Outcome.UNKNOWN);
        assertEndsAtItsDeadline(() -> second.nack(DEADLINE), DEADLINE, Outcome.UNKNOWN);
    }

    @Test
    void ackAndNackWithoutATimeoutAreBoundByTheQueuesOperationTimeout() throws Exception {
        TcpProxy proxy = proxy();
        WorkQueue<String> q = queue(proxy, DEADLINE);
        q.offerAll(List.of("a", "b"));
        Claim<String> first = q.take(Duration.ofSeconds(10)).orElseThrow();
        Claim<String> second = q.take(Duration.ofSeconds(10)).orElseThrow();

        proxy.blackhole();
        assertEndsAtItsDeadline(first::ack, DEADLINE, Outcome.UNKNOWN);
        assertEndsAtItsDeadline(second::nack, DEADLINE, Outcome.UNKNOWN);
    }

    @Test
    void readsAndDeadLetterCallsEndAtTheirDeadline() throws Exception {
        TcpProxy proxy = proxy();
        WorkQueue<String> q = queue(proxy, Duration.ofSeconds(30));
        q.offer("a");

        proxy.blackhole();
        assertEndsAtItsDeadline(() -> q.size(DEADLINE), DEADLINE, Outcome.NOT_APPLIED);
        assertEndsAtItsDeadline(() -> q.deadLetters(0, 10, DEADLINE), DEADLINE, Outcome.NOT_APPLIED);
        assertEndsAtItsDeadline(() -> q.deleteDeadLetter(0, DEADLINE), DEADLINE, Outcome.UNKNOWN);
        long start = System.nanoTime();
        assertThat(q.take(DEADLINE)).isEmpty();
        assertThat(millisSince(start)).isLessThan(DEADLINE.plus(SLACK).toMillis());
    }

    @Test
    void readsWithoutATimeoutAreBoundByTheQueuesOperationTimeout() throws Exception {
        TcpProxy proxy = proxy();
        WorkQueue<String> q = queue(proxy, DEADLINE);
        q.offer("a");

        proxy.blackhole();
        assertEndsAtItsDeadline(q::size, DEADLINE, Outcome.NOT_APPLIED);
        assertEndsAtItsDeadline(() -> q.deadLetters(0, 10), DEADLINE, Outcome.NOT_APPLIED);
        assertEndsAtItsDeadline(() -> q.deleteDeadLetter(0), DEADLINE, Outcome.UNKNOWN);
    }

    @Test
    void anInterruptEndsAnOfferUnderWayAndKeepsTheFlag() throws Exception {
        TcpProxy proxy = proxy();
        WorkQueue<String> q = queue(proxy, Duration.ofSeconds(60));
        q.offer("first");

        proxy.blackhole();
        DeadlineProbe.assertAnInterruptEndsItUnderWay(() -> q.offer("second"));
    }

    @Test
    void anInterruptBeforeAnythingIsSentIsAnInterruptedException() throws Exception {
        TcpProxy proxy = proxy();
        WorkQueue<String> q = queue(proxy, Duration.ofSeconds(30));
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> q.offer("x")).isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void closeReturnsWithinOneSecondBehindAPartition() throws Exception {
        TcpProxy proxy = proxy();
        WorkQueue<String> q = queue(proxy, Duration.ofSeconds(30));
        q.offer("a");
        Claim<String> held = q.take(Duration.ofSeconds(10)).orElseThrow();
        assertThat(held.isHeld()).isTrue();

        proxy.blackhole();
        long start = System.nanoTime();
        q.close();
        assertThat(millisSince(start)).isLessThan(1000 + SLACK.toMillis());
    }
}
