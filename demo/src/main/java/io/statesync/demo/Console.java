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
