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
package io.statesync.cli;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.DistributedSemaphore;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.recipes.membership.GroupMembership;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.replication.ReplicatedState;
import io.statesync.recipes.state.SharedState;
import io.statesync.recipes.watch.StateTree;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;

/**
 * Not a test: a ZooKeeper (curator-test's TestingServer) with one of every recipe in namespace
 * {@code shop}, for the real output in docs/operations.md, "Looking inside". Prints the connect
 * string, then runs until its standard input closes.
 */
final class DocsFixture {
    private DocsFixture() {}

    public static void main(String[] args) throws Exception {
        try (TestingServer server = new TestingServer(true)) {
            Coordinator a = connect(server);
            Coordinator b = connect(server);
            SharedState<String> config =
                    SharedState.builder(a, "/config", Codec.utf8(), "{}").build();
            config.start();
            config.set("{\"checkout\":\"on\",\"banner\":\"spring sale\"}");
            StateTree<String> flags =
                    StateTree.builder(a, "/flags", Codec.utf8()).build();
            flags.start();
            flags.put("new-cart", "true");
            flags.put("dark-mode", "false");
            DistributedLock lock =
                    DistributedLock.builder(a, "/locks/inventory").build();
            lock.start();
            LockHandle held = lock.acquire(Duration.ofSeconds(10));
            DistributedLock other =
                    DistributedLock.builder(b, "/locks/inventory").build();
            other.start();
            ExecutorService waiting = Executors.newFixedThreadPool(2);
            var unused = waiting.submit(() -> other.acquire(Duration.ofHours(1)));
            Coordinator third = connect(server);
            DistributedSemaphore printers1 =
                    DistributedSemaphore.builder(a, "/locks/printers", 2).build();
            printers1.start();
            LockHandle lease1 = printers1.acquire(Duration.ofSeconds(10));
            DistributedSemaphore printers2 =
                    DistributedSemaphore.builder(b, "/locks/printers", 2).build();
            printers2.start();
            LockHandle lease2 = printers2.acquire(Duration.ofSeconds(10));
            DistributedSemaphore printers3 =
                    DistributedSemaphore.builder(third, "/locks/printers", 2).build();
            printers3.start();
            var unusedLease = waiting.submit(() -> printers3.acquire(Duration.ofHours(1)));
            LeaderElection e1 = LeaderElection.builder(a, "/billing-leader")
                    .participantId("node-a")
                    .metadata("http://10.0.0.1:8080")
                    .build();
            e1.start();
            e1.awaitLeadership(Duration.ofSeconds(10));
            LeaderElection e2 = LeaderElection.builder(b, "/billing-leader")
                    .participantId("node-b")
                    .metadata("http://10.0.0.2:8080")
                    .build();
            e2.start();
            GroupMembership<String> m1 = GroupMembership.builder(a, "/members", Codec.utf8())
                    .memberId("node-a")
                    .metadata("zone=eu-1")
                    .build();
            m1.start();
            GroupMembership<String> m2 = GroupMembership.builder(b, "/members", Codec.utf8())
                    .memberId("node-b")
                    .metadata("zone=eu-2")
                    .build();
            m2.start();
            EventLog<String> orders = EventLog.builder(a, "/orders", Codec.utf8())
                    .segmentSize(100)
                    .build();
            orders.start();
            for (int i = 0; i < 250; i++) {
                orders.append("{\"order\":" + i + ",\"total\":" + (10 + i % 7) + "}");
            }
            orders.truncateBefore(100);
            WorkQueue<String> jobs =
                    WorkQueue.builder(a, "/jobs", Codec.utf8()).maxDeliveries(2).build();
            jobs.start();
            WorkQueue<String> worker =
                    WorkQueue.builder(b, "/jobs", Codec.utf8()).maxDeliveries(2).build();
            worker.start();
            jobs.offer("resize image 7 (corrupt)");
            for (int i = 0; i < 2; i++) {
                worker.take(Duration.ofSeconds(5)).orElseThrow().nack();
            }
            jobs.offerAll(List.of("resize image 8", "resize image 9", "resize image 10"));
            Claim<String> inFlight = worker.take(Duration.ofSeconds(5)).orElseThrow();
            ReplicatedState<Long, Long> counter = ReplicatedState.builder(
                            a, "/visits", Codec.longs(), Codec.longs(), 0L, (s, c) -> s + c)
                    .participantId("node-a")
                    .build();
            counter.start();
            for (long i = 1; i <= 5; i++) {
                counter.submit(i).get(10, TimeUnit.SECONDS);
            }
            System.out.println(server.getConnectString());
            System.out.flush();
            try {
                while (System.in.read() >= 0) {
                    // until standard input closes
                }
            } catch (IOException end) {
                // closed
            }
            inFlight.close();
            held.close();
            lease1.close();
            lease2.close();
            waiting.shutdownNow();
            a.close();
            b.close();
            third.close();
        }
    }

    private static Coordinator connect(TestingServer server) throws InterruptedException {
        Coordinator c =
                Coordinator.builder(server.getConnectString()).namespace("shop").build();
        c.start();
        c.awaitConnected(Duration.ofSeconds(10));
        return c;
    }
}
