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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ConnectionLossPolicy;
import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.core.internal.Nodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many readers or one writer, writers not starved, both sides fenced. */
@Timeout(60)
class DistributedReadWriteLockTest extends LockTestSupport {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final String PATH = "/locks/catalog";
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

    private DistributedReadWriteLock rw(Coordinator c) {
        DistributedReadWriteLock l =
                closeLater(DistributedReadWriteLock.builder(c, PATH).build());
        l.start();
        return l;
    }

    @Test
    void readersShareAndAWriterWaitsForThem() throws Exception {
        Coordinator a = connect();
        DistributedReadWriteLock r1 = rw(a);
        DistributedReadWriteLock r2 = rw(connect());
        DistributedReadWriteLock w = rw(connect());

        LockHandle read1 = r1.acquireRead(Duration.ofSeconds(10));
        LockHandle read2 = r2.acquireRead(Duration.ofSeconds(10));
        assertThat(read1.isValid()).isTrue();
        assertThat(read2.isValid()).isTrue();
        assertThat(w.tryAcquireWrite()).isEmpty();

        Future<LockHandle> writer = background.submit(() -> w.acquireWrite(Duration.ofSeconds(30)));
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 3);
        read1.close();
        assertThat(writer.isDone()).isFalse();
        read2.close();
        try (LockHandle write = writer.get(20, TimeUnit.SECONDS)) {
            assertThat(write.token()).isGreaterThan(read1.token()).isGreaterThan(read2.token());
            assertThat(r1.tryAcquireRead()).isEmpty();
        }
    }

    @Test
    void aWaitingWriterIsNotStarvedByLaterReaders() throws Exception {
        Coordinator a = connect();
        DistributedReadWriteLock first = rw(a);
        DistributedReadWriteLock w = rw(connect());
        DistributedReadWriteLock late = rw(connect());

        LockHandle read = first.acquireRead(Duration.ofSeconds(10));
        Future<LockHandle> writer = background.submit(() -> w.acquireWrite(Duration.ofSeconds(30)));
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 2);

        // A reader arriving after the waiting writer queues behind it, though only readers hold.
        assertThat(late.tryAcquireRead()).isEmpty();
        Future<LockHandle> lateReader = background.submit(() -> late.acquireRead(Duration.ofSeconds(30)));
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(a, PATH).size() == 3);
        assertThat(lateReader.isDone()).isFalse();

        read.close();
        LockHandle write = writer.get(20, TimeUnit.SECONDS);
        assertThat(lateReader.isDone()).isFalse();
        write.close();
        try (LockHandle r = lateReader.get(20, TimeUnit.SECONDS)) {
            // Fencing orders the exclusive section between the readers on both sides.
            assertThat(write.token()).isGreaterThan(read.token());
            assertThat(r.token()).isGreaterThan(write.token());
        }
    }

    @Test
    void bothSidesWriteGuardedAndAnExpiredWriterIsRefused() throws Exception {
        Coordinator a = connect(zk.connectString(), Duration.ofSeconds(10), ConnectionLossPolicy.ON_SUSPENDED);
        Coordinator b = connect();
        Nodes.create(b, "/catalog", "v0".getBytes(StandardCharsets.UTF_8), CreateMode.PERSISTENT);
        DistributedReadWriteLock writerLock = rw(a);
        DistributedReadWriteLock readerLock = rw(b);

        LockHandle write = writerLock.acquireWrite(Duration.ofSeconds(10));
        write.write(GuardedWrite.of().setData("/catalog", "v1".getBytes(StandardCharsets.UTF_8), -1));
        Future<LockHandle> reader = background.submit(() -> readerLock.acquireRead(Duration.ofSeconds(30)));
        await().atMost(Duration.ofSeconds(20)).until(() -> queue(b, PATH).size() == 2);

        Faults.expireSession(
                a.curatorFramework().getZookeeperClient().getZooKeeper(), zk.connectString(), Duration.ofSeconds(5));
        LockHandle read = reader.get(30, TimeUnit.SECONDS);
        read.write(GuardedWrite.of().check("/catalog", 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> !write.isValid());
        assertThatThrownBy(() ->
                        write.write(GuardedWrite.of().setData("/catalog", "v2".getBytes(StandardCharsets.UTF_8), -1)))
                .isInstanceOf(LockLostException.class);
        assertThat(Nodes.read(b, "/catalog").orElseThrow().value()).isEqualTo("v1".getBytes(StandardCharsets.UTF_8));
        assertThat(read.token()).isGreaterThan(write.token());
        read.close();
    }
}
