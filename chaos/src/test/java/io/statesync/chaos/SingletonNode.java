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

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.NotLeaderException;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Nodes;
import io.statesync.recipes.leader.LeaderElection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.CreateMode;

/**
 * A client node of the chaos suite, as a process of its own: it takes part in the election at
 * {@code /election}, and while it leads, its singleton task ticks every few milliseconds; each tick
 * writes one leader-guarded znode {@code /writes/<epoch>-<node>-<seq>}. It prints one line per event,
 * with {@code System.nanoTime()} (one monotonic clock for every process of the machine):
 *
 * <pre>
 * TICK node epoch seq nanos       the task ran while this node believed it led
 * OK node epoch seq               the guarded write landed
 * REFUSED node epoch seq reason   the guarded write was refused (nothing landed)
 * FAILED node epoch seq reason    the write's outcome is another error
 * </pre>
 *
 * <p>Arguments: connect string, namespace, node name, session timeout in ms, tick in ms. Runs until
 * its standard input ends or it is stopped.
 */
public final class SingletonNode {
    private SingletonNode() {}

    public static void main(String[] args) throws Exception {
        String connect = args[0];
        String namespace = args[1];
        String node = args[2];
        Duration session = Duration.ofMillis(Long.parseLong(args[3]));
        Duration tick = Duration.ofMillis(Long.parseLong(args[4]));
        try (Coordinator coordinator = Coordinator.builder(connect)
                .namespace(namespace)
                .sessionTimeout(session)
                .build()) {
            coordinator.start();
            coordinator.awaitConnected(Duration.ofSeconds(30));
            try {
                Nodes.create(coordinator, "/writes", new byte[0], CreateMode.PERSISTENT);
            } catch (StateSyncException e) {
                // another node created it first
            }
            AtomicLong seq = new AtomicLong();
            AtomicReference<LeaderElection> self = new AtomicReference<>();
            try (LeaderElection election = LeaderElection.builder(coordinator, "/election")
                    .participantId(node)
                    .scheduledTask(tick, leadership -> {
                        long s = seq.incrementAndGet();
                        long epoch = leadership.epoch();
                        print("TICK " + node + " " + epoch + " " + s + " " + System.nanoTime());
                        String path = "/writes/" + epoch + "-" + node + "-" + s;
                        try {
                            self.get().write(GuardedWrite.of().create(path, new byte[0]), Duration.ofSeconds(5));
                            print("OK " + node + " " + epoch + " " + s);
                        } catch (NotLeaderException e) {
                            print("REFUSED " + node + " " + epoch + " " + s + " "
                                    + e.getClass().getSimpleName());
                        } catch (StateSyncException e) {
                            print("FAILED " + node + " " + epoch + " " + s + " "
                                    + e.getClass().getSimpleName());
                        }
                    })
                    // When the task was cancelled: the report's time less how long it took to stop.
                    .onTaskStop(stop ->
                            print("STOP " + node + " " + stop.leadership().epoch() + " " + stop.reason() + " "
                                    + (System.nanoTime() - stop.duration().toNanos())))
                    .build()) {
                self.set(election);
                election.start();
                print("STARTED " + node);
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                while (in.readLine() != null) {
                    // runs until the suite closes standard input or stops the process
                }
            }
        }
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
