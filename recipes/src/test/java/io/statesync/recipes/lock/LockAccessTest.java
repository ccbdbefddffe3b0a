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

import io.statesync.core.AccessDeniedException;
import io.statesync.core.AclMode;
import io.statesync.core.Coordinator;
import io.statesync.core.internal.Nodes;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A lock, read-write lock or semaphore on a path the coordinator may not access says so at once. */
@Timeout(60)
class LockAccessTest extends LockTestSupport {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    @Override
    ZooKeeperExtension zk() {
        return zk;
    }

    private interface Call {
        Object call() throws Exception;
    }

    @Test
    void everyLockRecipeReportsAccessDeniedInsteadOfTimingOut() throws Exception {
        // The namespace is open to all (created first, without ACLs); only the lock paths are not.
        Coordinator stranger = connect();
        Nodes.create(stranger, "/open", new byte[0], CreateMode.PERSISTENT);
        Coordinator owner = closeLater(TestNodes.open(
                zk,
                zk.connectString(),
                b -> b.digestAuthentication("orders", "s3cret").aclMode(AclMode.CREATOR_ONLY)));
        for (String p : List.of("/locks", "/locks/mutex", "/locks/rw", "/locks/permits")) {
            Nodes.create(owner, p, new byte[0], CreateMode.PERSISTENT);
        }

        DistributedLock mutex = lock(stranger, "/locks/mutex");
        DistributedReadWriteLock rw = closeLater(
                DistributedReadWriteLock.builder(stranger, "/locks/rw").build());
        rw.start();
        DistributedSemaphore permits = closeLater(
                DistributedSemaphore.builder(stranger, "/locks/permits", 2).build());
        permits.start();
        // A lock whose parent is missing and may not be created either.
        DistributedLock deeper = lock(stranger, "/locks/missing/mutex");

        Duration wait = Duration.ofSeconds(20);
        List<Call> calls = List.of(
                () -> mutex.acquire(wait),
                mutex::tryAcquire,
                () -> rw.acquireRead(wait),
                () -> rw.acquireWrite(wait),
                rw::tryAcquireRead,
                rw::tryAcquireWrite,
                () -> permits.acquire(wait),
                permits::tryAcquire,
                () -> deeper.acquire(wait));
        for (Call call : calls) {
            long start = System.nanoTime();
            assertThatThrownBy(call::call)
                    .isInstanceOf(AccessDeniedException.class)
                    .hasMessageContaining("/locks/");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
