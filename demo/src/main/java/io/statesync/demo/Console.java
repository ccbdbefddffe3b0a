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

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Where a command prints: one line at a time (listeners print from their own threads), flushed at
 * once so that a person or a test reading the output sees each line when it happens.
 */
final class Console {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);
    private final PrintWriter out;
    private final long start = System.nanoTime();
    private final boolean clock;

    /**
     * @param out where to print
     * @param clock {@code true} to start every event line with the wall-clock time (single-node
     *     commands), {@code false} for the time since this console was made (the tour)
     */
    Console(PrintWriter out, boolean clock) {
        this.out = out;
        this.clock = clock;
    }

    /** Prints a line as it is. */
    synchronized void say(String text) {
        out.println(text);
        out.flush();
    }

    /** Prints an event line: a time stamp, then the text. */
    synchronized void event(String text) {
        String stamp = clock
                ? LocalTime.now(ZoneId.systemDefault()).format(CLOCK)
                : String.format(Locale.ROOT, "%+8.3fs", (System.nanoTime() - start) / 1e9);
        out.println("  " + stamp + "  " + text);
        out.flush();
    }
}
