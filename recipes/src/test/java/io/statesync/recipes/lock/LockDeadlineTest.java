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

import static io.statesync.recipes.DeadlineProbe.millisSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.recipes.DeadlineProbe;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every blocking call of the lock recipes returns by its deadline behind a black-holed connection
 * (a silent partition: nothing is refused, nothing comes back), and an interrupt ends a guarded
 * write the same way. The session timeout (20 s) is far longer than every bound here, so nothing but
 * the deadline can end the calls in time. The stated slack is 1 s on a loaded 2-core machine.
 */
@Timeout(60)
class LockDeadlineTest {
    private static final long SLACK_MS = 1000;
    private static final GuardedWrite WRITE =
            GuardedWrite.of().create("/deadline-data", "x".getBytes(StandardCharsets.UTF_8));

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

    private Coordinator connect(TcpProxy proxy, Duration operationTimeout) throws InterruptedException {
        return probe.connect(proxy.connectString(), zk.namespace(), operationTimeout);
    }

    @Test
    void aGuardedWriteIntoAPartitionEndsAtItsTimeoutWithTheOutcomeUnknown() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        Coordinator c = connect(proxy, Duration.ofSeconds(30));
        DistributedLock lock =
                closeLater(DistributedLock.builder(c, "/locks/deadline-write").build());
        lock.start();
        LockHandle h = lock.acquire(Duration.ofSeconds(10));

        proxy.blackhole();
        long start = System.nanoTime();
        assertThatThrownBy(() -> h.write(WRITE, Duration.ofSeconds(2)))
                .isInstanceOfSatisfying(
                        OperationTimeoutException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.UNKNOWN));
        assertThat(millisSince(start)).isBetween(1900L, 2000L + SLACK_MS);
    }

    @Test
    void callsWithoutATimeoutEndAtTheOperationTimeoutAndAcquireAtItsOwn() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        Coordinator c = connect(proxy, Duration.ofMillis(1500));
        DistributedLock lock =
                closeLater(DistributedLock.builder(c, "/locks/deadline-plain").build());
        lock.start();
        DistributedLock other =
                closeLater(DistributedLock.builder(c, "/locks/deadline-other").build());
        other.start();
        LockHandle h = lock.acquire(Duration.ofSeconds(10));

        proxy.blackhole();
        long start = System.nanoTime();
        assertThatThrownBy(() -> h.write(WRITE)).isInstanceOf(OperationTimeoutException.class);
        assertThat(millisSince(start)).as("write()").isLessThan(1500L + SLACK_MS);

        start = System.nanoTime();
        assertThatThrownBy(other::tryAcquire)
                .isInstanceOfSatisfying(
                        OperationTimeoutException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.NOT_APPLIED));
        assertThat(millisSince(start)).as("tryAcquire()").isLessThan(1500L + SLACK_MS);

        start = System.nanoTime();
        assertThatThrownBy(() -> other.acquire(Duration.ofSeconds(2)))
                .isInstanceOfSatisfying(
                        OperationTimeoutException.class,
                        e -> assertThat(e.outcome()).isEqualTo(Outcome.NOT_APPLIED));
        assertThat(millisSince(start)).as("acquire(2 s)").isBetween(1900L, 2000L + SLACK_MS);
    }

    @Test
    void anInterruptEndsAGuardedWriteUnderWayAndKeepsTheFlag() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        Coordinator c = connect(proxy, Duration.ofSeconds(60));
        DistributedLock lock = closeLater(
                DistributedLock.builder(c, "/locks/deadline-interrupt").build());
        lock.start();
        LockHandle h = lock.acquire(Duration.ofSeconds(10));

        proxy.blackhole();
        DeadlineProbe.assertAnInterruptEndsItUnderWay(() -> h.write(WRITE, Duration.ofSeconds(60)));
    }

    @Test
    void releaseAndCloseOfEveryLockKindReturnWithinTwoSecondsInAPartition() throws Exception {
        TcpProxy proxy = probe.proxy(zk.connectString());
        Coordinator c = connect(proxy, Duration.ofSeconds(30));
        DistributedLock lock = closeLater(
                DistributedLock.builder(c, "/locks/deadline-close-mutex").build());
        lock.start();
        lock.acquire(Duration.ofSeconds(10));
        DistributedReadWriteLock rw = closeLater(
                DistributedReadWriteLock.builder(c, "/locks/deadline-close-rw").build());
        rw.start();
        rw.acquireRead(Duration.ofSeconds(10));
        rw.acquireRead(Duration.ofSeconds(10));
        DistributedSemaphore semaphore = closeLater(
                DistributedSemaphore.builder(c, "/locks/deadline-close-sem", 5).build());
        semaphore.start();
        for (int i = 0; i < 3; i++) {
            semaphore.acquire(Duration.ofSeconds(10));
        }
        LockHandle single = semaphore.acquire(Duration.ofSeconds(10));

        proxy.blackhole();
        long start = System.nanoTime();
        single.close();
        assertThat(millisSince(start)).as("LockHandle.close()").isLessThan(2000L + SLACK_MS);
        for (AutoCloseable recipe : List.<AutoCloseable>of(lock, rw, semaphore)) {
            start = System.nanoTime();
            recipe.close();
            assertThat(millisSince(start)).as(recipe + ".close()").isLessThan(2000L + SLACK_MS);
        }
    }
}
