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

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A JVM the suite starts on its own test class path: a ZooKeeper server or a client node. Its
 * standard output is kept line by line; it can be paused (SIGSTOP), resumed (SIGCONT), stopped
 * (SIGTERM) and killed (SIGKILL), each for real, through the operating system.
 */
final class JvmProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();

    private JvmProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        pump(process.getInputStream(), out, name + "-out");
        pump(process.getErrorStream(), err, name + "-err");
    }

    static JvmProcess start(String name, Class<?> main, List<String> args) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                classPath,
                main.getName()));
        command.addAll(args);
        return new JvmProcess(name, new ProcessBuilder(command).start());
    }

    private static void pump(InputStream stream, List<String> lines, String thread) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        for (String line = r.readLine(); line != null; line = r.readLine()) {
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                },
                thread);
        t.setDaemon(true);
        t.start();
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    List<String> out() {
        return out;
    }

    String stderr() {
        return String.join("\n", err);
    }

    /** Freezes the process (SIGSTOP): its threads, timers and sockets stand still, as in a long GC pause. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Lets a paused process run on (SIGCONT). */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    /** Kills the process at once (SIGKILL) and waits for it to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " (" + name + ") failed");
        }
    }

    /** Stops the process (SIGTERM, after a SIGCONT in case it is paused), killing it if it lingers. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                signal("CONT");
                process.toHandle().destroy();
                if (!process.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS)) {
                    kill();
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
