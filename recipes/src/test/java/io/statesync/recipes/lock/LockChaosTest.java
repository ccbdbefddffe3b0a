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
import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Nodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Four clients run critical sections on one mutex while sessions are expired on the server and
 * connections black-holed at random. Judged by what the protected resources accepted: a {@link
 * FencedResource} (outside ZooKeeper, checking tokens) and a znode written only by guarded writes
 * (inside ZooKeeper, checked by the server).
 */
@Timeout(120)
class LockChaosTest extends LockTestSupport {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final String PATH = "/locks/chaos";
    private static final Logger LOG = LoggerFactory.getLogger(LockChaosTest.class);
    private static final String WRITES = "/writes";

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
        assertThat(background.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    /** One accepted write to the fenced resource. */
    private static final class Entry {
        final long token;
        final int client;
        final boolean begin;

        Entry(long token, int client, boolean begin) {
            this.token = token;
            this.client = client;
            this.begin = begin;
        }
    }

    @Test
    void fencedWritesNeverGoBackAndSectionsNeverInterleaveUnderExpiryAndBlackholes() throws Exception {
        run(40, 6);
    }

    @Test
    @Tag("slow")
    @Timeout(300)
    void soak() throws Exception {
        run(400, 40);
    }

    private void run(int sectionsWanted, int faults) throws Exception {
        int clients = 4;
        Coordinator admin = connect();
        Nodes.create(admin, WRITES, bytes(0), CreateMode.PERSISTENT);
        List<TcpProxy> proxies = new ArrayList<>();
        List<Coordinator> coordinators = new ArrayList<>();
        List<DistributedLock> locks = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            TcpProxy proxy = closeLater(TcpProxy.start(zk.connectString()));
            proxies.add(proxy);
            Coordinator c = connect(proxy.connectString(), Duration.ofSeconds(2), ConnectionLossPolicy.ON_SUSPENDED);
            coordinators.add(c);
            locks.add(lock(c, PATH));
        }
        FencedResource<List<Entry>> resource = new FencedResource<>(new ArrayList<>());
        AtomicInteger sections = new AtomicInteger();
        AtomicInteger lostHandles = new AtomicInteger();
        AtomicInteger holder = new AtomicInteger(-1);
        AtomicInteger pauses = new AtomicInteger();
        AtomicInteger stalePauses = new AtomicInteger();
        AtomicInteger staleRefused = new AtomicInteger();
        AtomicInteger staleGuardedLanded = new AtomicInteger();
        CountDownLatch stop = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int id = i;
            DistributedLock lock = locks.get(i);
            lock.addLockLostListener((handle, reason) -> lostHandles.incrementAndGet(), Runnable::run);
            workers.add(background.submit(() -> {
                int n = 0;
                while (stop.getCount() > 0) {
                    try (LockHandle h = lock.acquire(Duration.ofSeconds(5))) {
                        long token = h.token();
                        if (!resource.write(token, log -> append(log, new Entry(token, id, true)))) {
                            continue;
                        }
                        holder.set(id);
                        if ((id == 0 && n == 2) || ThreadLocalRandom.current().nextInt(15) == 0) {
                            // A stop-the-world pause longer than the session: no heartbeat, no work.
                            pauses.incrementAndGet();
                            TcpProxy proxy = proxies.get(id);
                            proxy.blackhole();
                            stop.await(3500, TimeUnit.MILLISECONDS);
                            proxy.pass();
                            if (resource.highestToken() > token) {
                                // A successor wrote meanwhile: the resource and ZooKeeper both refuse us.
                                stalePauses.incrementAndGet();
                                if (!resource.write(token, log -> append(log, new Entry(token, id, false)))) {
                                    staleRefused.incrementAndGet();
                                }
                                try {
                                    h.write(GuardedWrite.of()
                                            .create(WRITES + "/" + token + "-" + id + "-" + n++, bytes(token)));
                                    staleGuardedLanded.incrementAndGet();
                                } catch (LockLostException e) {
                                    // refused, as it must be
                                }
                                continue;
                            }
                        }
                        // The section's own work takes a while, so that faults hit holders too.
                        stop.await(20 + ThreadLocalRandom.current().nextInt(40), TimeUnit.MILLISECONDS);
                        // Work inside the section: a guarded write on ZooKeeper, named by its token.
                        h.write(GuardedWrite.of().create(WRITES + "/" + token + "-" + id + "-" + n++, bytes(token)));
                        if (resource.write(token, log -> append(log, new Entry(token, id, false)))) {
                            sections.incrementAndGet();
                        }
                    } catch (StateSyncException e) {
                        // lost, timed out, disconnected, or the CAS raced a deposed holder: go on
                    } catch (InterruptedException e) {
                        return null;
                    }
                }
                return null;
            }));
        }

        int injected = 0;
        while (injected < faults || sections.get() < sectionsWanted) {
            stop.await(300 + ThreadLocalRandom.current().nextInt(500), TimeUnit.MILLISECONDS);
            if (injected >= faults) {
                continue;
            }
            // Half the faults hit the client that last entered a section, the rest anyone.
            int last = holder.get();
            int victim = last >= 0 && ThreadLocalRandom.current().nextBoolean()
                    ? last
                    : ThreadLocalRandom.current().nextInt(clients);
            Coordinator c = coordinators.get(victim);
            if (ThreadLocalRandom.current().nextBoolean()) {
                if (c.isConnected()) {
                    try {
                        Faults.expireSession(
                                c.curatorFramework().getZookeeperClient().getZooKeeper(),
                                zk.connectString(),
                                Duration.ofSeconds(5));
                        injected++;
                    } catch (IllegalStateException e) {
                        // no session at this instant
                    }
                }
            } else {
                TcpProxy proxy = proxies.get(victim);
                proxy.blackhole();
                stop.await(1000 + ThreadLocalRandom.current().nextInt(2000), TimeUnit.MILLISECONDS);
                proxy.pass();
                injected++;
            }
        }
        stop.countDown();
        for (Future<?> f : workers) {
            f.get(30, TimeUnit.SECONDS);
        }

        // The fenced resource: tokens never go back, and a section's writes are never split by another's.
        List<Entry> accepted = resource.read();
        long highest = Long.MIN_VALUE;
        Entry open = null;
        for (Entry e : accepted) {
            assertThat(e.token).isGreaterThanOrEqualTo(highest);
            if (open != null && e.token == open.token) {
                assertThat(e.begin).isFalse();
                assertThat(e.client).isEqualTo(open.client);
                open = null;
            } else {
                assertThat(e.begin).as("a section starts with its begin").isTrue();
                open = e; // a previous section left open was cut short by a deposition: allowed
            }
            highest = e.token;
        }
        // ZooKeeper: every guarded write that landed (also those whose answer was lost) landed in
        // token order, so no deposed holder wrote after its successor.
        Map<Long, Long> tokenByCzxid = new TreeMap<>();
        for (String child : admin.curatorFramework().getChildren().forPath(WRITES)) {
            long czxid = Nodes.read(admin, WRITES + "/" + child).orElseThrow().czxid();
            tokenByCzxid.put(czxid, Long.parseLong(child.substring(0, child.indexOf('-'))));
        }
        assertThat(tokenByCzxid).hasSizeGreaterThanOrEqualTo(sectionsWanted);
        long previous = 0;
        for (long token : tokenByCzxid.values()) {
            assertThat(token).isGreaterThanOrEqualTo(previous);
            previous = token;
        }
        assertThat(sections.get()).isGreaterThanOrEqualTo(sectionsWanted);
        // A holder paused past its session whose successor had written was refused on both sides.
        assertThat(pauses.get()).isPositive();
        assertThat(staleRefused.get()).isEqualTo(stalePauses.get());
        assertThat(staleGuardedLanded.get()).isZero();
        LOG.info(
                "{} sections completed, {} faults, {} pauses ({} outlived by a successor), {} handles lost,"
                        + " {} fenced writes refused, {} guarded writes landed",
                sections.get(),
                injected,
                pauses.get(),
                stalePauses.get(),
                lostHandles.get(),
                resource.refusedWrites(),
                tokenByCzxid.size());

        // Nothing is left behind once the clients let go: no orphan blocks a later acquire.
        for (DistributedLock l : locks) {
            l.close();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> queue(admin, PATH).isEmpty());
        try (LockHandle h = lock(admin, PATH).acquire(Duration.ofSeconds(10))) {
            assertThat(h.token()).isGreaterThan(highest);
        }
    }

    private static List<Entry> append(List<Entry> log, Entry e) {
        log.add(e);
        return log;
    }

    private static byte[] bytes(long token) {
        return Long.toString(token).getBytes(StandardCharsets.UTF_8);
    }
}
