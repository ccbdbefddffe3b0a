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
package io.statesync.recipes.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.Versioned;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Writes of a state tree: lost requests and replies resolved without a guess, fresh reads, deadlines. */
@Timeout(120)
class StateTreeWriteTest {
    private static final Duration SLACK = Duration.ofSeconds(1);

    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final DeadlineProbe probe = new DeadlineProbe();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void closeAll() throws Exception {
        pool.shutdownNow();
        probe.close();
    }

    private <C extends AutoCloseable> C closeLater(C c) {
        return probe.closeLater(c);
    }

    private Coordinator connect(String connectString, Duration operationTimeout) throws InterruptedException {
        return probe.connect(connectString, zk.namespace(), operationTimeout);
    }

    private StateTree<Long> tree(Coordinator c) throws InterruptedException {
        StateTree<Long> t =
                closeLater(StateTree.builder(c, "/tree", Codec.longs()).build());
        t.start();
        assertThat(t.awaitInitialized(Duration.ofSeconds(10))).isTrue();
        return t;
    }

    private static void awaitParked(Thread t) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> t.getState() == Thread.State.TIMED_WAITING || t.getState() == Thread.State.WAITING);
    }

    /**
     * A compare-and-set whose request never reached the server, while another client made the very
     * same change: the write did not land, and the caller hears "conflict", not "written".
     */
    @Test
    void aLostCompareAndSetIsNotTakenForAnotherClientsIdenticalWrite() throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        StateTree<Long> a = tree(connect(proxy.connectString(), Duration.ofSeconds(30)));
        StateTree<Long> b = tree(connect(zk.connectString(), Duration.ofSeconds(30)));
        a.put("n", 1L);
        Versioned<Long> first = a.read("n").orElseThrow();
        Versioned<Long> base = a.compareAndSet("n", first, 2L).orElseThrow(); // the marker exists now

        proxy.blackhole(); // A's next request is held, then thrown away with the connection
        Thread[] caller = new Thread[1];
        Future<Optional<Versioned<Long>>> lost = pool.submit(() -> {
            caller[0] = Thread.currentThread();
            return a.compareAndSet("n", base, 3L);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> caller[0] != null);
        awaitParked(caller[0]);
        assertThat(b.compareAndSet("n", b.read("n").orElseThrow(), 3L)).isPresent(); // the identical change
        proxy.cut();
        proxy.pass();

        assertThat(lost.get(30, TimeUnit.SECONDS)).as("A's write never landed").isEmpty();
        assertThat(b.read("n").orElseThrow().value()).isEqualTo(3L);
        assertThat(b.read("n").orElseThrow().version()).isEqualTo(base.version() + 1);
    }

    /** A compare-and-set whose reply was lost but which landed: the marker says so, exactly once. */
    @Test
    void aCompareAndSetWhoseReplyWasLostIsResolvedAsWritten() throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        Coordinator ca = connect(proxy.connectString(), Duration.ofSeconds(30));
        StateTree<Long> a = tree(ca);
        a.put("n", 1L);
        Versioned<Long> base =
                a.compareAndSet("n", a.read("n").orElseThrow(), 2L).orElseThrow();
        Coordinator observer = connect(zk.connectString(), Duration.ofSeconds(30));
        StateTree<Long> o = tree(observer);

        proxy.blackhole();
        Thread[] caller = new Thread[1];
        Future<Optional<Versioned<Long>>> inDoubt = pool.submit(() -> {
            caller[0] = Thread.currentThread();
            return a.compareAndSet("n", base, 3L);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> caller[0] != null);
        awaitParked(caller[0]);
        proxy.pass(); // the held request reaches the server and lands ...
        await().atMost(Duration.ofSeconds(10))
                .until(() -> o.get("n").map(Versioned::value).equals(Optional.of(3L)));
        proxy.cut(); // ... but its reply may be lost with the connection

        Versioned<Long> written = inDoubt.get(30, TimeUnit.SECONDS).orElseThrow();
        assertThat(written.value()).isEqualTo(3L);
        assertThat(written.version()).isEqualTo(base.version() + 1);
        assertThat(o.read("n").orElseThrow().version()).isEqualTo(base.version() + 1);
    }

    @Test
    void readOfAKeyIsFreshAndUpdatesTheLocalValue() throws Exception {
        StateTree<Long> a = tree(connect(zk.connectString(), Duration.ofSeconds(30)));
        StateTree<Long> b = tree(connect(zk.connectString(), Duration.ofSeconds(30)));
        assertThat(a.read("k")).isEmpty();
        Versioned<Long> put = b.put("k", 7L);
        Versioned<Long> read = a.read("k").orElseThrow();
        assertThat(read).isEqualTo(put);
        assertThat(a.get("k")).contains(read);
        assertThatThrownBy(() -> a.read("bad/key")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyWriteAndReadEndsAtItsDeadlineBehindASilentPartition() throws Exception {
        TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
        StateTree<Long> a = tree(connect(proxy.connectString(), Duration.ofSeconds(30)));
        Versioned<Long> v = a.put("k", 1L);

        proxy.blackhole();
        Duration timeout = Duration.ofMillis(800);
        List<Call> calls = List.of(
                () -> a.put("k", 2L, timeout),
                () -> a.compareAndSet("k", v, 3L, timeout),
                () -> a.remove("k", timeout),
                () -> a.read("k", timeout));
        for (Call call : calls) {
            long start = System.nanoTime();
            assertThatThrownBy(call::run).isInstanceOf(OperationTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(timeout.plus(SLACK));
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> a.read("k", timeout))
                .isInstanceOfSatisfying(
                        OperationTimeoutException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.NOT_APPLIED));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(timeout.plus(SLACK));
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }
}
