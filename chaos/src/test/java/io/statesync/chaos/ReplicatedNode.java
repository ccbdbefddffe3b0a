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
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.Versioned;
import io.statesync.recipes.replication.Applied;
import io.statesync.recipes.replication.ReplicatedState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

/**
 * A client process of the chaos suite on one {@code ReplicatedState<String, String>} at {@code
 * /replicated}: the state is the list of the commands applied, in order, comma-separated; every
 * node submits {@code <node>-<seq>} one after the other, 20 ms apart, and follows the published
 * state. It prints, with {@code System.nanoTime()}:
 *
 * <pre>
 * INVOKE id t                   a command is submitted (timeout 10 s)
 * OK id position version t      its future completed with Applied
 * FAIL id reason | INFO id reason   it failed: known not applied (NOT_APPLIED) | unknown
 * STATE version commands crc t  a published state this node saw: its version, the number of
 *                               commands in it and the CRC-32 of its text
 * LEADER true|false epoch t     the leadership this node's election shows now (self or not)
 * FINAL version state           the state once it reached the version typed with "final"
 * </pre>
 *
 * <p>Arguments: connect string, namespace, node name, session timeout in ms. A line {@code stop}
 * stops the submissions (then {@code SUBMITTED <node>}); a line {@code final <v>} waits up to 60 s
 * for version {@code v}, prints {@code FINAL}, and ends with {@code DONE <node>}.
 */
public final class ReplicatedNode {
    private static final long GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private ReplicatedNode() {}

    public static void main(String[] args) throws Exception {
        String connect = args[0];
        String namespace = args[1];
        String node = args[2];
        Duration session = Duration.ofMillis(Long.parseLong(args[3]));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong finalVersion = new AtomicLong(-1);
        Thread input = new Thread(
                () -> {
                    try (BufferedReader in =
                            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            if (line.equals("stop")) {
                                stop.set(true);
                            } else if (line.startsWith("final ")) {
                                finalVersion.set(Long.parseLong(line.substring("final ".length())));
                            }
                        }
                    } catch (IOException e) {
                        // the input ended
                    }
                    stop.set(true);
                    finalVersion.compareAndSet(-1, 0);
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
            try (ReplicatedState<String, String> state = ReplicatedState.builder(
                            coordinator,
                            "/replicated",
                            Codec.utf8(),
                            Codec.utf8(),
                            "",
                            (s, c) -> s.isEmpty() ? c : s + "," + c)
                    .participantId(node)
                    .build()) {
                state.addListener(change -> change.current()
                        .ifPresent(v -> print("STATE " + change.position() + " " + count(v.value()) + " "
                                + crc(v.value()) + " " + System.nanoTime())));
                state.addLeadershipListener(change -> change.current()
                        .ifPresent(v -> print(
                                "LEADER " + v.value().isSelf() + " " + v.value().epoch() + " " + System.nanoTime())));
                state.start();
                print("STARTED " + node);
                long seq = 0;
                while (!stop.get()) {
                    String id = node + "-" + ++seq;
                    print("INVOKE " + id + " " + System.nanoTime());
                    try {
                        Applied<String> applied =
                                state.submit(id, Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
                        print("OK " + id + " " + applied.position() + " " + applied.version() + " "
                                + System.nanoTime());
                    } catch (ExecutionException e) {
                        boolean notApplied = e.getCause() instanceof OperationTimeoutException t
                                && t.outcome() == OperationTimeoutException.Outcome.NOT_APPLIED;
                        print((notApplied ? "FAIL " : "INFO ") + id + " "
                                + e.getCause().getClass().getSimpleName());
                    } catch (TimeoutException e) {
                        print("INFO " + id + " no-completion");
                    }
                    LockSupport.parkNanos(GAP_NANOS); // pacing
                }
                print("SUBMITTED " + node);
                while (finalVersion.get() < 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // waits for the "final" line
                }
                state.awaitVersion(finalVersion.get(), Duration.ofSeconds(60));
                Versioned<String> last = state.current();
                print("FINAL " + state.version() + " " + last.value());
                print("DONE " + node);
            }
        }
    }

    static int count(String state) {
        return state.isEmpty() ? 0 : state.split(",").length;
    }

    static long crc(String state) {
        CRC32 crc = new CRC32();
        crc.update(state.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }
}
