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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Where a chaos test leaves its figures and its histories: {@code target/}. */
final class ChaosReport {
    private ChaosReport() {}

    /**
     * Appends a section to {@code target/chaos-report.md} and prints it.
     *
     * @param md the section, in Markdown
     * @throws IOException if the file cannot be written
     */
    static void append(String md) throws IOException {
        System.out.print(md);
        Path file = Path.of("target", "chaos-report.md");
        Files.createDirectories(file.getParent());
        Files.writeString(file, md, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * How long after {@code t} the first operation sent after {@code t} was acknowledged, among
     * {@code nodes}: their {@code INVOKE id t} and {@code OK id ... t} lines (the time last), so an
     * operation in flight at {@code t} does not count.
     *
     * @param nodes the processes
     * @param t the fault's time ({@code System.nanoTime()})
     * @return nanos after {@code t}, or 0 if none yet
     */
    static long firstSentAndAcknowledgedAfter(List<JvmProcess> nodes, long t) {
        long first = 0;
        for (JvmProcess p : nodes) {
            java.util.Set<String> sentAfter = new java.util.HashSet<>();
            for (String l : p.out()) {
                String[] f = l.split(" ");
                if (f[0].equals("INVOKE") && Long.parseLong(f[f.length - 1]) > t) {
                    sentAfter.add(f[1]);
                } else if (f[0].equals("OK") && sentAfter.contains(f[1])) {
                    long at = Long.parseLong(f[f.length - 1]);
                    if (first == 0 || at < first) {
                        first = at;
                    }
                }
            }
        }
        return first == 0 ? 0 : first - t;
    }

    /**
     * Keeps each process's raw history as {@code target/<prefix>-<name>.history}, for a second look
     * when a check fails.
     *
     * @param prefix the run's name
     * @param nodes the processes
     * @throws IOException if a file cannot be written
     */
    static void keep(String prefix, List<JvmProcess> nodes) throws IOException {
        for (JvmProcess p : nodes) {
            Path file = Path.of("target", prefix + "-" + p.name() + ".history");
            Files.createDirectories(file.getParent());
            Files.write(file, p.out(), StandardCharsets.UTF_8);
        }
    }
}
