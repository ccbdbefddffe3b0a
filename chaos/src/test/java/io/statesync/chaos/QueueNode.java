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
package io.statesync.chaos;

import static io.statesync.chaos.NodeIo.print;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.LockLostException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.DeadLetter;
import io.statesync.recipes.queue.WorkQueue;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A client process of the chaos suite on one {@code WorkQueue<String>} at {@code /queue}
 * ({@code maxDeliveries} 3). By role:
 *
 * <ul>
 *   <li>{@code produce}: offers {@code <node>-<seq>} every 30 ms; every 25th item is poison
 *       ({@code <node>-<seq>-poison}), which every worker gives back ({@code nack}) until it becomes
 *       a dead letter;
 *   <li>{@code work}: takes an item, works on it for 40 ms (so that a nemesis finds it mid-claim),
 *       acknowledges it; at the end drains the queue and prints the dead letters.
 * </ul>
 *
 * It prints, with {@code System.nanoTime()}:
 *
 * <pre>
 * INVOKE id t                      an offer is sent
 * OK id position t | FAIL id reason | INFO id reason   its outcome (FAIL: known not offered)
 * CLAIM id position delivery t     take returned the item
 * ACKED id position delivery t     its ack returned
 * LOST id position delivery reason its ack was refused (LockLostException): the claim was lost
 * ACKINFO id position delivery reason   its ack's outcome is unknown
 * NACKED id position delivery      a poison item given back
 * DEAD id position cause deliveries     a dead letter, listed at the end
 * </pre>
 *
 * <p>Arguments: connect string, namespace, node name, session timeout in ms, role. Runs until a
 * line {@code stop} is typed; a worker then drains the queue (until it is empty, or it took nothing
 * for 30 s) and
 * lists the dead letters; then {@code DONE <node>}.
 */
public final class QueueNode {
    private static final long GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(30);
    private static final long WORK_NANOS = TimeUnit.MILLISECONDS.toNanos(40);

    private QueueNode() {}

    public static void main(String[] args) throws Exception {
        String connect = args[0];
        String namespace = args[1];
        String node = args[2];
        Duration session = Duration.ofMillis(Long.parseLong(args[3]));
        String role = args[4];
        AtomicBoolean stop = NodeIo.stopOnInput();
        Duration timeout = Duration.ofSeconds(2);
        try (Coordinator coordinator = Coordinator.builder(connect)
                .namespace(namespace)
                .sessionTimeout(session)
                .build()) {
            coordinator.start();
            coordinator.awaitConnected(Duration.ofSeconds(30));
            try (WorkQueue<String> queue = WorkQueue.builder(coordinator, "/queue", Codec.utf8())
                    .maxDeliveries(3)
                    .operationTimeout(Duration.ofSeconds(10))
                    .build()) {
                queue.start();
                print("STARTED " + node);
                long seq = 0;
                while (!stop.get()) {
                    if (role.equals("produce")) {
                        seq++;
                        String id = node + "-" + seq;
                        offer(queue, seq % 25 == 0 ? id + "-poison" : id, timeout);
                        LockSupport.parkNanos(GAP_NANOS); // pacing
                    } else {
                        work(queue, Duration.ofMillis(500));
                    }
                }
                if (role.equals("work")) {
                    // drain: until the queue is empty, or nothing could be taken for 30 s
                    long idleSince = System.nanoTime();
                    while (System.nanoTime() - idleSince < TimeUnit.SECONDS.toNanos(30)) {
                        if (work(queue, Duration.ofSeconds(1))) {
                            idleSince = System.nanoTime();
                        } else if (size(queue) == 0) {
                            break;
                        }
                    }
                    print("SIZE " + size(queue));
                    for (DeadLetter<String> d : queue.deadLetters(0, 10_000, Duration.ofSeconds(30))) {
                        print("DEAD " + d.value().orElse("?") + " " + d.position() + " " + d.cause() + " "
                                + d.deliveries());
                    }
                }
                print("DONE " + node);
            }
        }
    }

    private static long size(WorkQueue<String> queue) throws InterruptedException {
        try {
            return queue.size(Duration.ofSeconds(5));
        } catch (StateSyncException e) {
            return -1;
        }
    }

    private static void offer(WorkQueue<String> queue, String id, Duration timeout) throws InterruptedException {
        print("INVOKE " + id + " " + System.nanoTime());
        try {
            long position = queue.offer(id, timeout);
            print("OK " + id + " " + position + " " + System.nanoTime());
        } catch (OperationTimeoutException e) {
            boolean notApplied = e.outcome() == OperationTimeoutException.Outcome.NOT_APPLIED;
            print((notApplied ? "FAIL " : "INFO ") + id + " " + e.outcome());
        } catch (StateSyncException e) {
            print("INFO " + id + " " + e.getClass().getSimpleName());
        }
    }

    /** Takes one item and works on it; whether one was taken. */
    private static boolean work(WorkQueue<String> queue, Duration wait) throws InterruptedException {
        Optional<Claim<String>> taken;
        try {
            taken = queue.take(wait);
        } catch (StateSyncException e) {
            return false;
        }
        if (taken.isEmpty()) {
            return false;
        }
        try (Claim<String> claim = taken.get()) {
            String id = claim.value();
            String what = id + " " + claim.position() + " " + claim.deliveryCount();
            print("CLAIM " + what + " " + System.nanoTime());
            LockSupport.parkNanos(WORK_NANOS); // the work
            try {
                if (id.endsWith("-poison")) {
                    claim.nack(Duration.ofSeconds(2));
                    print("NACKED " + what);
                } else {
                    claim.ack(Duration.ofSeconds(2));
                    print("ACKED " + what + " " + System.nanoTime());
                }
            } catch (LockLostException e) {
                print("LOST " + what + " " + e.getClass().getSimpleName());
            } catch (StateSyncException e) {
                print("ACKINFO " + what + " " + e.getClass().getSimpleName());
            }
        }
        return true;
    }

    static boolean poison(String id) {
        return id.endsWith("-poison");
    }
}
