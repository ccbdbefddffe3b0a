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
import io.statesync.core.LockLostException;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Nodes;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.zookeeper.CreateMode;

/**
 * A client node of the chaos suite, as a process of its own: in a loop it acquires the mutex at
 * {@code /lock}, makes a few lock-guarded writes while it holds it (each creates {@code
 * /writes/<token>-<node>-<seq>}, fenced by the lock: refused once the holder's znode is gone), a few
 * milliseconds apart, and releases. It prints, with {@code System.nanoTime()} (one monotonic clock
 * for every process of the machine):
 *
 * <pre>
 * ACQUIRED node token t       acquire returned a handle
 * WRITE node token seq t      a guarded write is sent
 * OK|REFUSED|FAILED node token seq [reason]   its outcome (REFUSED: LockLostException, nothing written)
 * RELEASING node token t      about to release (the holding as this node saw it ends)
 * SERVER node session server t   the session and server it is connected to, when that changed
 * </pre>
 *
 * <p>Arguments: connect string, namespace, node name, session timeout in ms. Runs until a line
 * {@code stop} is typed or its standard input ends, then prints {@code DONE}.
 */
public final class LockNode {
    private static final int WRITES_PER_HOLD = 10;
    private static final long WRITE_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private LockNode() {}

    public static void main(String[] args) throws Exception {
        String connect = args[0];
        String namespace = args[1];
        String node = args[2];
        Duration session = Duration.ofMillis(Long.parseLong(args[3]));
        AtomicBoolean stop = new AtomicBoolean();
        Thread input = new Thread(
                () -> {
                    try (BufferedReader in =
                            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            if (line.equals("stop")) {
                                break;
                            }
                        }
                    } catch (IOException e) {
                        // the input ended
                    }
                    stop.set(true);
                },
                "input");
        input.setDaemon(true);
        input.start();
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
            try (DistributedLock lock =
                    DistributedLock.builder(coordinator, "/lock").build()) {
                lock.start();
                print("STARTED " + node);
                long seq = 0;
                String server = "";
                while (!stop.get()) {
                    String now = RegisterNode.server(coordinator);
                    if (!now.equals(server)) {
                        server = now;
                        print("SERVER " + node + " " + server + " " + System.nanoTime());
                    }
                    LockHandle handle;
                    try {
                        handle = lock.acquire(Duration.ofSeconds(2));
                    } catch (StateSyncException e) {
                        continue; // not acquired in time (or no connection): try again
                    }
                    long token = handle.token();
                    print("ACQUIRED " + node + " " + token + " " + System.nanoTime());
                    try {
                        for (int i = 0; i < WRITES_PER_HOLD && !stop.get(); i++) {
                            if (!handle.isValid()) { // as the docs advise: stop early once told
                                print("INVALID " + node + " " + token + " " + System.nanoTime());
                                break;
                            }
                            seq++;
                            String path = "/writes/" + token + "-" + node + "-" + seq;
                            print("WRITE " + node + " " + token + " " + seq + " " + System.nanoTime());
                            try {
                                handle.write(GuardedWrite.of().create(path, new byte[0]), Duration.ofSeconds(5));
                                print("OK " + node + " " + token + " " + seq);
                            } catch (StateSyncException e) {
                                boolean refused = e instanceof LockLostException;
                                print((refused ? "REFUSED " : "FAILED ") + node + " " + token + " " + seq + " "
                                        + e.getClass().getSimpleName());
                                break;
                            }
                            LockSupport.parkNanos(WRITE_GAP_NANOS); // pacing, so that holds last a while
                        }
                    } finally {
                        print("RELEASING " + node + " " + token + " " + System.nanoTime());
                        handle.close();
                    }
                }
                print("DONE " + node);
            }
        }
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
