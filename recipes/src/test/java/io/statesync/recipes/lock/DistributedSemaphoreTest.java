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
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.core.LockLostException;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Nodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** N leases across clients, never more, and leases of dead sessions come back. */
@Timeout(60)
class DistributedSemaphoreTest extends LockTestSupport {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final String PATH = "/limits/exports";
    private ExecutorService background;

    @Override
    ZooKeeperExtension zk() {
        return zk;
    }

    @BeforeEach
    void startBackground() {
        background = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stopBackground() throws InterruptedException {
        background.shutdownNow();
        assertThat(background.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    }

    private DistributedSemaphore semaphore(Coordinator c, int leases) {
        DistributedSemaphore s =
                closeLater(DistributedSemaphore.builder(c, PATH, leases).build());
        s.start();
        return s;
    }

    @Test
    void nLeasesAreHandedOutThenTheNextWaitsForOneToComeBack() throws Exception {
        Coordinator a = connect();
        DistributedSemaphore s1 = semaphore(a, 2);
        DistributedSemaphore s2 = semaphore(connect(), 2);
        DistributedSemaphore s3 = semaphore(connect(), 2);

        LockHandle first = s1.acquire(Duration.ofSeconds(10));
        LockHandle second = s2.acquire(Duration.ofSeconds(10));
        assertThat(first.token()).isNotEqualTo(second.token());
        assertThat(s3.tryAcquire()).isEmpty();
        assertThat(queue(a, PATH)).hasSize(2);

        Future<LockHandle> third = background.submit(() -> s3.acquire(Duration.ofSeconds(30)));
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 3);
        assertThat(third.isDone()).isFalse();
        first.close();
        try (LockHandle lease = third.get(20, TimeUnit.SECONDS)) {
            assertThat(lease.isValid()).isTrue();
            assertThat(lease.holderPath()).startsWith(PATH + "/lease-");
        }
        second.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).isEmpty());
    }

    @Test
    void theLeaseOfAnExpiredSessionComesBackAndIsNotCountedTwice() throws Exception {
        Coordinator a = connect(zk.connectString(), Duration.ofSeconds(10), ConnectionLossPolicy.ON_LOST);
        Coordinator b = connect();
        DistributedSemaphore sa = semaphore(a, 1);
        Lost lost = new Lost();
        sa.addLockLostListener(lost, Runnable::run);
        DistributedSemaphore sb = semaphore(b, 1);

        LockHandle leaseA = sa.acquire(Duration.ofSeconds(10));
        Future<LockHandle> waiting = background.submit(() -> sb.acquire(Duration.ofSeconds(30)));
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(b, PATH).size() == 2);

        Faults.expireSession(
                a.curatorFramework().getZookeeperClient().getZooKeeper(), zk.connectString(), Duration.ofSeconds(5));
        LockHandle leaseB = waiting.get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> lost.handles.contains(leaseA));
        assertThat(leaseA.isValid()).isFalse();
        leaseA.close();

        // A, on its new session, competes normally: no phantom lease of its old session remains.
        await().atMost(Duration.ofSeconds(20)).until(a::isConnected);
        assertThat(sa.tryAcquire()).isEmpty();
        leaseB.close();
        Optional<LockHandle> again = sa.tryAcquire();
        assertThat(again).isPresent();
        again.get().close();
        assertThat(queue(b, PATH)).isEmpty();
    }

    @Test
    void neverMoreThanNLeasesAtOnceAcrossFourClientsUnderSessionExpiry() throws Exception {
        int leases = 2;
        int clients = 4;
        Coordinator admin = connect();
        Nodes.create(admin, "/inuse", new byte[0], CreateMode.PERSISTENT);
        List<Coordinator> coordinators = new ArrayList<>();
        List<DistributedSemaphore> semaphores = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            // ON_LOST: a lease ends only with its session, the moment its in-use marker ends too.
            Coordinator c = connect(zk.connectString(), Duration.ofSeconds(4), ConnectionLossPolicy.ON_LOST);
            coordinators.add(c);
            semaphores.add(semaphore(c, leases));
        }
        AtomicInteger sections = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        int expiries = 0;
        CountDownLatch stop = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Coordinator c = coordinators.get(i);
            DistributedSemaphore s = semaphores.get(i);
            int id = i;
            workers.add(background.submit(() -> {
                int n = 0;
                while (stop.getCount() > 0) {
                    String marker = "/inuse/c" + id + "-" + n++;
                    try (LockHandle lease = s.acquire(Duration.ofSeconds(5))) {
                        // An ephemeral in-use marker, created only while the lease's znode exists: it
                        // vanishes with the lease, whether released or expired.
                        Nodes.guardedTransaction(
                                c,
                                lease.holderPath(),
                                List.of(c.curatorFramework()
                                        .transactionOp()
                                        .create()
                                        .withMode(CreateMode.EPHEMERAL)
                                        .forPath(marker)),
                                p -> new LockLostException(p, "lease lost", null));
                        int inUse = c.curatorFramework()
                                .getChildren()
                                .forPath("/inuse")
                                .size();
                        maxSeen.accumulateAndGet(inUse, Math::max);
                        Nodes.delete(c, marker, -1);
                        sections.incrementAndGet();
                    } catch (StateSyncException e) {
                        // lost, timed out or disconnected: try again
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                            return null;
                        }
                        // Curator's own errors while the session is being replaced: try again
                    }
                }
                return null;
            }));
        }
        Set<Integer> expired = new HashSet<>();
        for (int round = 0; round < 6; round++) {
            stop.await(400 + ThreadLocalRandom.current().nextInt(400), TimeUnit.MILLISECONDS);
            int victim = ThreadLocalRandom.current().nextInt(clients);
            Coordinator c = coordinators.get(victim);
            if (c.isConnected()) {
                try {
                    Faults.expireSession(
                            c.curatorFramework().getZookeeperClient().getZooKeeper(),
                            zk.connectString(),
                            Duration.ofSeconds(5));
                    expiries++;
                    expired.add(victim);
                } catch (IllegalStateException e) {
                    // no session at this instant
                }
            }
        }
        int before = sections.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> sections.get() > before + 20);
        stop.countDown();
        for (Future<?> f : workers) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertThat(expiries).isGreaterThan(0);
        assertThat(sections.get()).isGreaterThan(20);
        assertThat(maxSeen.get()).isBetween(1, leases);
        for (DistributedSemaphore s : semaphores) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(admin, PATH).isEmpty());
        assertThat(expired).isNotEmpty();
    }
}
