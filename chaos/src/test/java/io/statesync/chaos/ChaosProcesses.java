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

import io.statesync.testkit.JvmProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a chaos test starts (the ensemble, client processes), closed after it in reverse order, so
 * every process the suite starts, it stops.
 */
final class ChaosProcesses implements AutoCloseable {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<JvmProcess> clients = new ArrayList<>();
    private @org.jspecify.annotations.Nullable String keepAs;

    /**
     * Keeps every client process's output as {@code target/<prefix>-<name>.history} when the test
     * ends, passed or failed (a failing check then has the histories beside it).
     *
     * @param prefix the run's name
     */
    void keepHistoriesAs(String prefix) {
        keepAs = prefix;
    }

    /**
     * Closes {@code c} after the test, before everything registered earlier.
     *
     * @param c what to close
     * @param <T> its type
     * @return {@code c}
     */
    <T extends AutoCloseable> T later(T c) {
        open.add(c);
        return c;
    }

    /**
     * Starts a client process ({@code main} on the test class path, 128 MB of heap) and waits until
     * it prints {@code STARTED <name>}.
     *
     * @param main the client's main class
     * @param name its name, also its first argument after those given
     * @param args its arguments
     * @return the running process, closed after the test
     * @throws Exception if it cannot be started or does not start within 60 s
     */
    JvmProcess node(Class<?> main, String name, List<String> args) throws Exception {
        JvmProcess p = later(JvmProcess.start(name, main, List.of("-Xmx128m"), args));
        clients.add(p);
        p.awaitLine("STARTED " + name, Duration.ofSeconds(60));
        return p;
    }

    /**
     * Starts several client processes at once ({@code main}, 128 MB of heap each), then waits until
     * each prints {@code STARTED <name>}.
     *
     * @param main the clients' main class
     * @param argsByName each client's name and its arguments
     * @return the running processes, in the order given, closed after the test
     * @throws Exception if one cannot be started or does not start within 60 s
     */
    List<JvmProcess> nodes(Class<?> main, java.util.Map<String, List<String>> argsByName) throws Exception {
        List<JvmProcess> started = new ArrayList<>();
        for (java.util.Map.Entry<String, List<String>> e : argsByName.entrySet()) {
            JvmProcess p = later(JvmProcess.start(e.getKey(), main, List.of("-Xmx128m"), e.getValue()));
            clients.add(p);
            started.add(p);
        }
        for (JvmProcess p : started) {
            p.awaitLine("STARTED " + p.name(), Duration.ofSeconds(60));
        }
        return started;
    }

    @Override
    public void close() throws Exception {
        if (keepAs != null) {
            ChaosReport.keep(keepAs, clients);
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }
}
