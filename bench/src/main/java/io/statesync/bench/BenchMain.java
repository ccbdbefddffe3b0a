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

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs every workload against a ZooKeeper server process (a fresh one per workload group) and writes
 * the report.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl bench -am &amp;&amp; java -jar bench/target/statesync-bench.jar --full
 * </pre>
 *
 * <p>Options: {@code --quick} (default: a short run per workload, one repetition) or {@code --full}
 * (warm-up and several repetitions); {@code --out DIR} (default {@code bench-report}); {@code --only
 * TEXT} to run the workloads whose id contains TEXT (or one of its comma-separated parts, e.g. {@code
 * large,instances}); {@code --repetitions N} for N measured
 * repetitions per variant instead of the mode's (a ratio of a few percent needs many). {@code --chart
 * DIR}, alone, draws the chart of a finished run again from {@code DIR/results.csv} (with this bench's
 * comparisons: which references the chart leaves out), leaving its report and CSV as they are.
 */
public final class BenchMain {
    private BenchMain() {}

    /**
     * Settings of one run.
     *
     * @param repeat the measured repetitions per variant, or 0 for the mode's default (quick 1, full 3)
     */
    record Settings(boolean quick, Path out, String only, int repeat) {
        Settings(boolean quick, Path out, String only) {
            this(quick, out, only, 0);
        }

        Duration measureFor() {
            return quick ? Duration.ofMillis(500) : Duration.ofSeconds(3);
        }

        int repetitions() {
            return repeat > 0 ? repeat : quick ? 1 : 3;
        }

        boolean warmUp() {
            return !quick;
        }
    }

    /**
     * Entry point.
     *
     * @param args see the class comment
     * @throws Exception if the server cannot start or the report cannot be written
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--chart")) {
            // Draws a finished run's chart again from its results.csv, e.g. after a reference was
            // marked as not like for like; the report and the CSV stay as the run wrote them.
            Path dir = Path.of(args[1]);
            List<Comparison> all = new ArrayList<>(Workloads.all(false));
            all.addAll(Workloads.all(true));
            Report.chart(Report.fromCsv(dir.resolve("results.csv"), all), dir.resolve("ratios.png"));
            System.out.println("chart written to " + dir.toAbsolutePath().resolve("ratios.png"));
            return;
        }
        Settings settings = parse(args);
        List<Results> results = run(settings);
        System.out.println(
                "report written to " + settings.out().toAbsolutePath().resolve("report.md"));
        for (Results r : results) {
            if (!r.failures.isEmpty()) {
                System.exit(1);
            }
        }
    }

    static Settings parse(String[] args) {
        boolean quick = true;
        Path out = Path.of("bench-report");
        String only = "";
        int repeat = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--full" -> quick = false;
                case "--out" -> out = Path.of(requireValue(args, ++i, "--out"));
                case "--only" -> only = requireValue(args, ++i, "--only");
                case "--repetitions" -> repeat = repetitions(requireValue(args, ++i, "--repetitions"));
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + "; valid options: --quick, --full, --out DIR, --only TEXT, --repetitions N");
            }
        }
        return new Settings(quick, out, only, repeat);
    }

    private static int repetitions(String value) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--repetitions must be a number from 1 to 1000, was " + value);
    }

    private static String requireValue(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static List<Results> run(Settings settings) throws Exception {
        List<Comparison> comparisons = new ArrayList<>();
        for (Comparison c : Workloads.all(settings.quick())) {
            if (runs(c.id(), settings.only())) {
                comparisons.add(c);
            }
        }
        List<Results> all = new ArrayList<>();
        long started = System.nanoTime();
        double loadAtStart = loadAverage();
        DiskProbe disk = DiskProbe.measure(ZooKeeperProcess.dataDirParent());
        log(
                "data directory %s: %s, fsync of 4 KiB median %.3f ms",
                disk.dir(), disk.fileSystem(), disk.fsyncMedianMs());
        int i = 0;
        while (i < comparisons.size()) {
            String group = comparisons.get(i).group();
            int end = i;
            while (end < comparisons.size() && comparisons.get(end).group().equals(group)) {
                end++;
            }
            // A fresh server process and data directory per group: one group's data does not slow the next.
            if (group.equals(EnsembleWorkloads.GROUP)) {
                try (ZooKeeperEnsemble ensemble = ZooKeeperEnsemble.start()) {
                    log(
                            "group %s: ZooKeeper ensemble, server processes %s, server %d leads; clients on %s",
                            group, ensemble.pids(), ensemble.leader() + 1, ensemble.followersConnectString());
                    for (Comparison c : comparisons.subList(i, end)) {
                        all.add(runComparison(
                                settings,
                                () -> new BenchContext(ensemble, settings.measureFor(), settings.quick()),
                                c));
                    }
                }
            } else {
                try (ZooKeeperProcess server = ZooKeeperProcess.start()) {
                    log("group %s: ZooKeeper server process %d on %s", group, server.pid(), server.connectString());
                    for (Comparison c : comparisons.subList(i, end)) {
                        all.add(runComparison(settings, server, c));
                    }
                }
            }
            i = end;
        }
        String header = String.format(
                Locale.ROOT,
                "# statesync benchmark report\n\n"
                        + "- date: %s\n- mode: %s (%s per throughput run, %d repetition%s%s)\n"
                        + "- machine: %d cores, %s, Java %s\n- server: ZooKeeper 3.9.5 `ZooKeeperServerMain` in its own JVM on"
                        + " loopback, default fsync, a fresh server process and data directory per workload group;"
                        + " the `ensemble` group, where run, on three `QuorumPeerMain` JVMs on the same machine (quorum writes,"
                        + " clients on the two followers)\n"
                        + "- data directory: under `%s`, file system `%s`; one fsync there (4 KiB write + force, median of"
                        + " %d): %.3f ms\n"
                        + "- order: the variants of a comparison run one after another in each round, starting one"
                        + " later each round, so that none always runs first\n"
                        + "- heap: %s\n"
                        + "- latency figures: p99 only over %d samples or more; below that, max only (the samples"
                        + " column says how many)\n"
                        + "- machine load: the 1-minute load average was %.2f at the start and %.2f at the end"
                        + " (other work on the machine shows here; the run's own server and clients count too)\n"
                        + "- command: `%s`\n- wall time: %.0f s",
                LocalDate.now(ZoneOffset.UTC),
                settings.quick() ? "quick" : "full",
                settings.measureFor(),
                settings.repetitions(),
                settings.repetitions() == 1 ? "" : "s",
                settings.warmUp() ? " after a warm-up" : "",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                System.getProperty("java.version"),
                disk.dir(),
                disk.fileSystem(),
                DiskProbe.SAMPLES,
                disk.fsyncMedianMs(),
                References.HEAP_METHOD,
                Sample.MIN_SAMPLES_FOR_P99,
                loadAtStart,
                loadAverage(),
                "mvn -B -q -DskipTests package -pl bench -am && java -jar bench/target/statesync-bench.jar "
                        + (settings.quick() ? "--quick" : "--full")
                        + (settings.only().isEmpty() ? "" : " --only " + settings.only())
                        + (settings.repeat() > 0 ? " --repetitions " + settings.repeat() : ""),
                (System.nanoTime() - started) / 1e9);
        Report.write(settings.out(), all, header);
        return all;
    }

    /** Whether the run includes the workload: {@code --only} selects it, and names it if it runs only on request. */
    /** The operating system's 1-minute load average, or -1 where it has none. */
    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    static boolean runs(String id, String only) {
        return selected(id, only) && (!Workloads.ON_REQUEST.contains(id) || only.contains(id));
    }

    /** Whether {@code --only TEXT} selects the workload: its id contains TEXT, or one of TEXT's comma-separated parts. */
    static boolean selected(String id, String only) {
        for (String part : only.split(",", -1)) {
            if (id.contains(part.trim())) {
                return true;
            }
        }
        return false;
    }

    static Results runComparison(Settings settings, ZooKeeperProcess server, Comparison c) {
        return runComparison(settings, () -> new BenchContext(server, settings.measureFor(), settings.quick()), c);
    }

    /** Makes the context of one run of one variant. */
    @FunctionalInterface
    interface Contexts {
        BenchContext next();
    }

    static Results runComparison(Settings settings, Contexts contexts, Comparison c) {
        Results results = new Results(c);
        boolean warmUps = settings.warmUp() && !c.once();
        int rounds = (c.once() ? 1 : settings.repetitions()) + (warmUps ? 1 : 0);
        List<Comparison.Variant> variants = c.variants();
        for (int round = 0; round < rounds; round++) {
            boolean warmUp = warmUps && round == 0;
            // Every variant runs in each round, so drift on a shared machine hits all of them; the order
            // rotates by one each round, so that no variant always runs first (or right after another).
            for (int k = 0; k < variants.size(); k++) {
                Comparison.Variant v = variants.get((round + k) % variants.size());
                if (results.failures.containsKey(v.subject())) {
                    continue;
                }
                try (BenchContext ctx = contexts.next()) {
                    Sample sample = v.run(ctx);
                    if (!warmUp) {
                        results.add(v.subject(), sample);
                    }
                    log("%s / %s%s: %s", c.id(), v.subject(), warmUp ? " (warm-up)" : "", sample.figures());
                } catch (Exception | AssertionError e) {
                    results.failures.put(v.subject(), e.toString());
                    log("%s / %s failed: %s", c.id(), v.subject(), e);
                }
            }
        }
        return results;
    }

    private static void log(String format, Object... args) {
        System.out.printf(
                Locale.ROOT,
                "[%6.1fs] " + format + "%n",
                concat(ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0, args));
    }

    private static Object[] concat(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
