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

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example of docs/locks.md, compiled and run. Keep the two in step. */
@Timeout(60)
class LockExampleTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    // --- docs/locks.md: example ---------------------------------------------------------------

    /** A resource outside ZooKeeper that refuses stale holders by their fencing token. */
    static final class InvoiceStore {
        private final FencedResource<List<String>> invoices = new FencedResource<>(new ArrayList<>());

        boolean append(long token, String invoice) {
            return invoices.write(token, list -> {
                List<String> next = new ArrayList<>(list);
                next.add(invoice);
                return next;
            });
        }

        List<String> all() {
            return invoices.read();
        }
    }

    static void issueInvoices(Coordinator coordinator, InvoiceStore store) throws InterruptedException {
        try (DistributedLock lock =
                DistributedLock.builder(coordinator, "/locks/invoicing").build()) {
            lock.addLockLostListener((handle, reason) -> System.err.println("stop invoicing: " + reason.getMessage()));
            lock.start();
            try (LockHandle handle = lock.acquire(Duration.ofSeconds(10))) {
                // Outside ZooKeeper: the store checks the token.
                if (!store.append(handle.token(), "INV-1001")) {
                    return; // a later holder has written: we were deposed while paused
                }
                // Inside ZooKeeper: one multi with a check of our own znode.
                handle.write(
                        GuardedWrite.of().setData("/invoicing/last", "INV-1001".getBytes(StandardCharsets.UTF_8), -1));
            } catch (LockLostException e) {
                // deposed before the guarded write: nothing was written
            }
        }
    }

    // --- end of example ------------------------------------------------------------------------

    @Test
    void theExampleRuns() throws Exception {
        try (Coordinator coordinator = Coordinator.builder(zk.connectString())
                .namespace(zk.namespace())
                .build()) {
            coordinator.start();
            coordinator.awaitConnected(Duration.ofSeconds(10));
            coordinator.curatorFramework().create().creatingParentsIfNeeded().forPath("/invoicing/last");
            InvoiceStore store = new InvoiceStore();
            issueInvoices(coordinator, store);
            assertThat(store.all()).containsExactly("INV-1001");
            assertThat(new String(
                            coordinator.curatorFramework().getData().forPath("/invoicing/last"),
                            StandardCharsets.UTF_8))
                    .isEqualTo("INV-1001");
        }
    }
}
