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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The work queue's calls behind a black-holed connection (the test kit's proxy holds every byte):
 * {@code take(timeout)} returns within its timeout plus its stated slack (0.5 s), before and after
 * the client notices the outage, also on a queue's first use; {@code close()} returns within its
 * stated bound (1 s); an interrupt ends a waiting take; {@code nack()} on a claim lost with its
 * session does nothing, as documented.
 * The asserts allow 2 s more than each stated bound for a loaded 2-core host.
 */
@Timeout(120)
class WorkQueueOutageTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    /** What each asserted bound allows beyond the stated one, for a loaded host. */
    private static final long HOST_ALLOWANCE_MS = 2_000;

    private final ExecutorService callers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "outage-test-caller");
        t.setDaemon(true);
        return t;
    });
    private TcpProxy proxy;
    private Coordinator observer;

    @BeforeEach
    void setUp() throws Exception {
        proxy = TcpProxy.start(zk.connectString());
        observer = connect(zk.connectString(), Duration.ofSeconds(20));
    }

    @AfterEach
    void tearDown() {
        proxy.pass();
        observer.close();
        proxy.close();
        callers.shutdownNow();
    }

    private static Coordinator connect(String connectString, Duration session) throws InterruptedException {
        return TestNodes.open(
                zk, connectString, b -> b.sessionTimeout(session).connectionTimeout(Duration.ofSeconds(2)));
    }

    private static WorkQueue<String> queue(Coordinator c, String path) {
        WorkQueue<String> q = WorkQueue.builder(c, path, Codec.utf8())
                .operationTimeout(Duration.ofSeconds(30))
                .build();
        q.start();
        return q;
    }

    /** Runs a take on another thread and returns how long it took; fails if it takes over the bound. */
    private long timedTake(WorkQueue<String> q, Duration timeout, long boundMs) throws Exception {
        long t0 = System.nanoTime();
        Future<Optional<Claim<String>>> f = callers.submit(() -> q.take(timeout));
        Optional<Claim<String>> result = f.get(boundMs, TimeUnit.MILLISECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(result).isEmpty();
        return ms;
    }

    @Test
    void takeReturnsWithinItsTimeoutPlusSlackWhileTheServerIsBlackHoled() throws Exception {
        try (Coordinator c = connect(proxy.connectString(), Duration.ofSeconds(10));
                WorkQueue<String> used = queue(c, "/jobs");
                WorkQueue<String> fresh = queue(c, "/fresh")) {
            used.offer("warm-up");
            used.take(Duration.ofSeconds(10)).orElseThrow().ack();
            proxy.blackhole();
            Duration timeout = Duration.ofMillis(500);
            long bound = timeout.toMillis() + 500 + HOST_ALLOWANCE_MS;
            // Before the client has noticed (it still believes it is connected) ...
            for (int i = 0; i < 3; i++) {
                timedTake(used, timeout, bound);
            }
            timedTake(fresh, timeout, bound); // its first use: the lazy set-up is bounded too
            // An interrupt ends a long take at once, with InterruptedException.
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread taker = new Thread(() -> {
                try {
                    used.take(Duration.ofSeconds(60));
                    outcome.set(new AssertionError("take returned"));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            taker.start();
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            taker.getState() == Thread.State.WAITING || taker.getState() == Thread.State.TIMED_WAITING);
            taker.interrupt();
            taker.join(1_000 + HOST_ALLOWANCE_MS);
            assertThat(taker.isAlive()).isFalse();
            assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
            // ... and after it has.
            await().atMost(Duration.ofSeconds(30)).until(() -> !c.isConnected());
            timedTake(used, timeout, bound);
            timedTake(fresh, timeout, bound);
            timedTake(used, Duration.ZERO, 500 + HOST_ALLOWANCE_MS);
            proxy.pass();
            c.awaitConnected(Duration.ofSeconds(20));
            used.offer("after");
            Optional<Claim<String>> after = used.take(Duration.ofSeconds(20));
            assertThat(after)
                    .hasValueSatisfying(claim -> assertThat(claim.value()).isEqualTo("after"));
            after.get().ack();
        }
    }

    @Test
    void closeReturnsWithinItsBoundWhileTheServerIsBlackHoledAndTheClaimComesBackLater() throws Exception {
        Coordinator c = connect(proxy.connectString(), Duration.ofSeconds(10));
        try {
            WorkQueue<String> q = queue(c, "/close");
            q.offer("held");
            Optional<Claim<String>> claim = q.take(Duration.ofSeconds(10));
            assertThat(claim).isPresent();
            proxy.blackhole();
            long t0 = System.nanoTime();
            Future<?> closing = callers.submit(q::close);
            closing.get(1_000 + HOST_ALLOWANCE_MS, TimeUnit.MILLISECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1_000 + HOST_ALLOWANCE_MS);
        } finally {
            proxy.pass();
            c.close();
        }
        // Nothing is stuck: the claim went with the session at the latest.
        try (WorkQueue<String> other = queue(observer, "/close")) {
            Optional<Claim<String>> again = other.take(Duration.ofSeconds(40));
            assertThat(again).hasValueSatisfying(cl -> {
                assertThat(cl.value()).isEqualTo("held");
                assertThat(cl.deliveryCount()).isEqualTo(2);
            });
            again.get().ack();
        }
    }

    @Test
    void nackOnAClaimLostWithItsSessionDoesNothingAndTheItemIsDeliveredAgain() throws Exception {
        try (Coordinator c = connect(proxy.connectString(), Duration.ofSeconds(4));
                WorkQueue<String> q = queue(c, "/lost")) {
            q.offer("job");
            Claim<String> claim = q.take(Duration.ofSeconds(10)).orElseThrow();
            proxy.blackhole(); // the server stops hearing from the consumer and expires its session
            Future<?> nack = callers.submit(() -> {
                claim.nack();
                return null;
            });
            nack.get(60, TimeUnit.SECONDS); // rethrows whatever nack threw
            assertThat(claim.isHeld()).isFalse();
            try (WorkQueue<String> other = queue(observer, "/lost")) {
                Optional<Claim<String>> again = other.take(Duration.ofSeconds(30));
                assertThat(again)
                        .hasValueSatisfying(cl -> assertThat(cl.deliveryCount()).isEqualTo(2));
                again.get().ack();
            }
            proxy.pass();
        }
    }
}
