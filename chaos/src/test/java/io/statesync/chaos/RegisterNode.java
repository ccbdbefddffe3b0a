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

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.recipes.state.SharedState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client process of the chaos suite: one {@code SharedState<String>} at {@code /register}, read
 * fresh, written and compared-and-set in a loop, every value written unique ({@code node-n}). It
 * prints each operation as it starts and as its outcome becomes known, with the machine's monotonic
 * clock ({@code System.nanoTime()}, one clock for every process on Linux), for {@link
 * RegisterHistory}:
 *
 * <pre>
 * INVOKE id READ|WRITE|CAS value expected t
 * OK id result zxid t   (result: the value read, "true"/"false" for a CAS, "-" for a write; zxid:
 *                       the mzxid, in hex, of the value read or written, "-" if none)
 * SERVER session server t   (the session and server the next operations go to, when it changed)
 * FAIL id t          (known not to have taken effect: OperationTimeoutException NOT_APPLIED, a read's error)
 * INFO id t          (unknown: OperationTimeoutException UNKNOWN, ConnectionLossException)
 * </pre>
 *
 * <p>Arguments: connect string, namespace, node name, session timeout (ms). It runs until a line
 * {@code stop} is typed on its standard input (or the input ends), then prints {@code DONE}.
 */
public final class RegisterNode {
    private RegisterNode() {}

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
        Duration timeout = Duration.ofSeconds(2);
        try (Coordinator coordinator = Coordinator.builder(connect)
                .namespace(namespace)
                .sessionTimeout(session)
                .build()) {
            coordinator.start();
            coordinator.awaitConnected(Duration.ofSeconds(30));
            try (SharedState<String> register = SharedState.builder(coordinator, "/register", Codec.utf8(), "init")
                    .build()) {
                register.start();
                register.awaitInitialized(Duration.ofSeconds(30));
                print("STARTED " + node);
                ThreadLocalRandom random = ThreadLocalRandom.current();
                Optional<Versioned<String>> last = Optional.empty();
                String server = "";
                for (int id = 0; !stop.get(); id++) {
                    String now = server(coordinator);
                    if (!now.equals(server)) {
                        server = now;
                        print("SERVER " + server + " " + System.nanoTime());
                    }
                    int dice = random.nextInt(10);
                    String value = node + "-" + id;
                    if (dice < 4 || last.isEmpty()) {
                        print("INVOKE " + id + " READ - - " + System.nanoTime());
                        try {
                            last = register.read(timeout);
                            print("OK " + id + " " + last.map(Versioned::value).orElse("absent") + " "
                                    + last.map(v -> Long.toHexString(v.mzxid())).orElse("-") + " "
                                    + System.nanoTime());
                        } catch (StateSyncException e) {
                            // a read changes nothing: whatever happened, it is left out
                            print("FAIL " + id + " " + System.nanoTime());
                        }
                    } else if (dice < 7) {
                        print("INVOKE " + id + " WRITE " + value + " - " + System.nanoTime());
                        try {
                            Versioned<String> written = register.set(value, timeout);
                            print("OK " + id + " - " + Long.toHexString(written.mzxid()) + " " + System.nanoTime());
                        } catch (StateSyncException e) {
                            print(ended(e) + " " + id + " " + System.nanoTime());
                        }
                    } else {
                        Versioned<String> expected = last.get();
                        print("INVOKE " + id + " CAS " + value + " " + expected.value() + " " + System.nanoTime());
                        try {
                            Optional<Versioned<String>> written = register.compareAndSet(expected, value, timeout);
                            print("OK " + id + " " + written.isPresent() + " "
                                    + written.map(v -> Long.toHexString(v.mzxid()))
                                            .orElse("-") + " "
                                    + System.nanoTime());
                        } catch (StateSyncException e) {
                            print(ended(e) + " " + id + " " + System.nanoTime());
                        }
                        last = Optional.empty(); // read again before the next compare-and-set
                    }
                }
                print("DONE " + node);
            }
        }
    }

    /**
     * The session and the server it is connected to now, from the ZooKeeper handle's description
     * ({@code sessionid:0x.. local:.. remoteserver:/127.0.0.1:port ..}), or {@code none}.
     */
    static String server(Coordinator coordinator) {
        try {
            String d = coordinator.internalAccess().handle().toString();
            String session = field(d, "sessionid:");
            String remote = field(d, "remoteserver:");
            return session + " " + remote;
        } catch (StateSyncException e) {
            return "none none";
        }
    }

    private static String field(String description, String name) {
        int at = description.indexOf(name);
        if (at < 0) {
            return "-";
        }
        int end = description.indexOf(' ', at);
        return description.substring(at + name.length(), end < 0 ? description.length() : end);
    }

    /** FAIL when the write is known not to have landed; otherwise (it may have been sent) INFO. */
    private static String ended(StateSyncException e) {
        boolean notApplied = e instanceof OperationTimeoutException t
                && t.outcome() == OperationTimeoutException.Outcome.NOT_APPLIED;
        return notApplied ? "FAIL" : "INFO";
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
