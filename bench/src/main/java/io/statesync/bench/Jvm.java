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
package io.statesync.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory of another JVM on this machine (a server process of the bench): heap in use after a
 * full collection through the JDK's {@code jcmd}, and the resident set from {@code /proc}.
 */
final class Jvm {
    /** How the server-side memory figures are taken, in words for the docs and the log. */
    static final String METHOD = "server heap = used heap of the server's JVM after `jcmd PID GC.run`, read with"
            + " `jcmd PID GC.heap_info`; resident set = VmRSS (VmHWM for the peak) of /proc/PID/status";

    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private Jvm() {}

    /**
     * The command that runs {@code mainClass} in a new JVM of this Java installation on the bench's
     * class path.
     *
     * @param jvmOptions options before the class path, e.g. {@code -Xmx1g}
     * @param mainClass the class to run
     * @param args its arguments
     */
    static List<String> javaCommand(List<String> jvmOptions, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /** The heap the JVM {@code pid} uses after a full collection, in bytes. */
    static long heapAfterGc(long pid) {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("jcmd GC.heap_info of " + pid + " reported no used heap: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    /** A size field of {@code /proc/PID/status} (e.g. {@code VmRSS}), in bytes. */
    static long statusBytes(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1)
                                    .replace("kB", "")
                                    .trim())
                            * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("/proc/" + pid + "/status has no " + field);
    }

    private static String jcmd(long pid, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running jcmd", e);
        }
    }
}
