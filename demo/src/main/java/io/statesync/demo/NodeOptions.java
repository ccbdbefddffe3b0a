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
package io.statesync.demo;

import io.statesync.core.ConnectionEvent;
import io.statesync.core.Coordinator;
import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every single-node command takes: where ZooKeeper is, and this node's name. */
final class NodeOptions {
    @Option(
            names = "--connect",
            required = true,
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            description =
                    "The ZooKeeper or ensemble to use, e.g. the connect string 'statesync-demo zookeeper' prints.")
    String connect;

    @Option(
            names = "--node",
            paramLabel = "NAME",
            description = "This node's name, shown to the other nodes (default: node-<process id>).")
    @Nullable
    String node;

    @Option(
            names = "--wait",
            defaultValue = "30s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long an action typed on a line may wait for ZooKeeper (during an outage) before it"
                    + " is given up with a message (default: ${DEFAULT-VALUE}).")
    Duration wait;

    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description = "Serve this node's statesync meters in Prometheus' format at"
                    + " http://127.0.0.1:PORT/metrics (0: any free port; the node prints it).")
    @Nullable
    Integer metricsPort;

    @Mixin
    ConnectOptions connection;

    /** While disconnected, how often the node says that it is still waiting. */
    static final Duration STILL_WAITING_EVERY = Duration.ofSeconds(5);

    /** A typed line's action: may block up to {@link #wait}; any error it throws is printed. */
    interface LineAction {
        void run(String line) throws InterruptedException;
    }

    String nodeId() {
        String n = node;
        return n != null ? n : "node-" + ProcessHandle.current().pid();
    }

    /**
     * Connects (or fails with exit code 3 after the connection timeout), says so, and prints every
     * later connection transition.
     */
    Coordinator connect(Console console) throws InterruptedException {
        Integer port = metricsPort;
        if (port != null && (port < 0 || port > 65_535)) {
            throw new IllegalArgumentException("--metrics-port must be from 0 to 65535, was " + port);
        }
        Coordinator coordinator = connection.connect(connect);
        console.say(nodeId() + " connected to ZooKeeper at " + connect + " (session 0x"
                + Long.toHexString(coordinator.sessionId()) + ", namespace /" + connection.namespace
                + ", session timeout " + DurationConverter.show(connection.sessionTimeout) + "). Ctrl-C to stop.");
        coordinator.addListener(event -> {
            if (event.kind() != ConnectionEvent.Kind.CONNECTED) {
                console.event("connection " + event.kind() + explain(event));
            }
        });
        reportOutages(console, coordinator);
        if (port != null) {
            try {
                int serving = MetricsEndpoint.serve(coordinator, port);
                console.say(nodeId() + " serves Prometheus metrics at http://127.0.0.1:" + serving + "/metrics");
            } catch (IOException e) {
                coordinator.close();
                throw new IllegalArgumentException(
                        "--metrics-port " + port + ": cannot listen on 127.0.0.1:" + port + " (" + e.getMessage() + ")",
                        e);
            }
        }
        return coordinator;
    }

    private String explain(ConnectionEvent event) {
        return switch (event.kind()) {
            case RECONNECTED -> event.isNewSession() ? " with a new session" : " (same session)";
            case SUSPENDED ->
                ": waiting for ZooKeeper; the session survives up to "
                        + DurationConverter.show(connection.sessionTimeout) + " without a connection";
            case LOST ->
                ": the session is gone (and with it this node's locks, leadership and membership);"
                        + " reconnecting with a new one";
            default -> "";
        };
    }

    /**
     * While the coordinator has no connection, says every {@link #STILL_WAITING_EVERY} what it is
     * waiting for and for how long (its {@link Coordinator#health()}), so that a node is never silent
     * during an outage. Stops when the coordinator closes.
     */
    private static void reportOutages(Console console, Coordinator coordinator) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "statesync-demo-outage");
            t.setDaemon(true);
            return t;
        });
        long every = STILL_WAITING_EVERY.toMillis();
        var unused = timer.scheduleWithFixedDelay(
                () -> {
                    if (coordinator.state() == LifecycleState.CLOSED) {
                        timer.shutdown();
                        return;
                    }
                    Health health = coordinator.health();
                    Object off = health.details().get("disconnectedMs");
                    if (off instanceof Long ms && ms >= every) {
                        console.event("still waiting for ZooKeeper (" + health.status() + "): " + health.reason());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Hands each line typed on standard input to {@code action}, on a daemon thread; blank lines are
     * skipped. Every command treats a line the same way during an outage: it says that ZooKeeper is
     * not reachable and how long it will try ({@code --wait}); the action then waits up to that long,
     * and its error, if any, is printed, never fatal. Ends quietly at end of input.
     */
    void readLines(Console console, Coordinator coordinator, String prompt, LineAction action) {
        readLines(console, prompt, line -> {
            if (!coordinator.isConnected()) {
                console.event("ZooKeeper is not reachable now ("
                        + coordinator.health().reason() + "); trying \"" + line + "\" for up to "
                        + DurationConverter.show(wait));
            }
            try {
                action.run(line);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * Hands each line typed on standard input to {@code handler}, on a daemon thread; blank lines are
     * skipped, and an error of the handler is printed, not fatal. Ends quietly at end of input.
     */
    static void readLines(Console console, String prompt, java.util.function.Consumer<String> handler) {
        Thread reader = new Thread(
                () -> {
                    console.say(prompt);
                    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset()));
                    try {
                        for (String line = in.readLine(); line != null; line = in.readLine()) {
                            if (line.isBlank()) {
                                continue;
                            }
                            try {
                                handler.accept(line.trim());
                            } catch (RuntimeException e) {
                                console.event("could not do that: " + e.getMessage());
                            }
                        }
                    } catch (IOException e) {
                        // standard input closed: nothing more to read
                    }
                },
                "statesync-demo-stdin");
        reader.setDaemon(true);
        reader.start();
    }
}
