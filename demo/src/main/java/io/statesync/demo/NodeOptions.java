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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.function.Consumer;
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

    @Mixin
    ConnectOptions connection;

    String nodeId() {
        String n = node;
        return n != null ? n : "node-" + ProcessHandle.current().pid();
    }

    /**
     * Connects (or fails with exit code 3 after the connection timeout), says so, and prints every
     * later connection transition.
     */
    Coordinator connect(Console console) throws InterruptedException {
        Coordinator coordinator = connection.connect(connect);
        console.say(nodeId() + " connected to ZooKeeper at " + connect + " (session 0x"
                + Long.toHexString(coordinator.sessionId()) + ", namespace /" + connection.namespace
                + ", session timeout " + DurationConverter.show(connection.sessionTimeout) + "). Ctrl-C to stop.");
        coordinator.addListener(event -> {
            if (event.kind() != ConnectionEvent.Kind.CONNECTED) {
                console.event("connection " + event.kind()
                        + (event.kind() == ConnectionEvent.Kind.RECONNECTED
                                ? (event.isNewSession() ? " with a new session" : " (same session)")
                                : ""));
            }
        });
        return coordinator;
    }

    /**
     * Hands each line typed on standard input to {@code handler}, on a daemon thread; blank lines are
     * skipped, and an error of the handler is printed, not fatal. Ends quietly at end of input.
     */
    static void readLines(Console console, String prompt, Consumer<String> handler) {
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
