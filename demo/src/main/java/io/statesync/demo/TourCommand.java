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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The tour: one process, a ZooKeeper (embedded, or the one given with {@code --connect}) and three
 * nodes, each with its own coordinator (its own ZooKeeper session) and its own recipes; every
 * recipe does its job across the nodes, including a failover, narrated step by step.
 */
@Command(
        name = "tour",
        mixinStandardHelpOptions = true,
        description = {
            "One process, a real ZooKeeper and three nodes (each its own ZooKeeper session and recipes):"
                    + " shared config, a fenced lock, a singleton task that fails over when its node dies,"
                    + " an event-sourced ledger replayed by a late node, a work queue, state replicated by"
                    + " one leader that survives its leader's death, and group membership, narrated step"
                    + " by step and summed up at the end. Exit code 0 if every step did what it should.",
            "Without --connect an embedded ZooKeeper is started on a free loopback port and removed at exit."
        })
final class TourCommand implements Callable<Integer> {
    /** The steps, in order: later steps use what earlier ones built (the nodes, the group). */
    private static final List<TourStep> STEPS = List.of(
            new JoinStep(),
            new SharedConfigStep(),
            new FencedLockStep(),
            new LedgerStep(),
            new WorkQueueStep(),
            new ReplicatedStep(),
            new SingletonStep(),
            new LeaveAndJoinStep());

    @Spec
    CommandSpec spec;

    @Option(
            names = "--connect",
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Use this ZooKeeper or ensemble instead of starting an embedded one.")
    @Nullable
    String connect;

    @Option(
            names = "--namespace",
            paramLabel = "NAME",
            description = "ZooKeeper namespace (chroot) for the tour (default: statesync-tour-<random>, so every"
                    + " run starts empty).")
    @Nullable
    String namespace;

    @Option(
            names = "--session-timeout",
            defaultValue = "4s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "Session timeout of every node (default: ${DEFAULT-VALUE}); a dead node's"
                    + " leadership moves after about a third of it plus the task's stop timeout.")
    Duration sessionTimeout;

    @Option(
            names = "--connection-timeout",
            defaultValue = "4s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "How long to wait for ZooKeeper before giving up with exit code 3 (default: ${DEFAULT-VALUE}).")
    Duration connectionTimeout;

    private final List<Result> results = new ArrayList<>();

    private record Result(String name, boolean ok, String outcome, Duration took) {}

    @Override
    public Integer call() throws Exception {
        Console console = new Console(spec.commandLine().getOut(), false);
        String ns = namespace != null
                ? namespace
                : "statesync-tour-" + UUID.randomUUID().toString().substring(0, 8);
        long started = System.nanoTime();
        try (StopSignal signal = new StopSignal();
                @Nullable EmbeddedZooKeeper zk = connect == null ? EmbeddedZooKeeper.start(1) : null) {
            String connectString;
            if (zk != null) {
                connectString = zk.connectString();
                console.say("Started an embedded ZooKeeper server at " + connectString
                        + " (ZooKeeper's own ZooKeeperServerEmbedded, temporary data directory).");
            } else {
                connectString = Objects.requireNonNull(connect);
                console.say("Using the ZooKeeper at " + connectString + ".");
            }
            console.say("Namespace /" + ns + ", session timeout " + DurationConverter.show(sessionTimeout)
                    + ". Each node below is its own ZooKeeper session with its own recipes.");
            Tour tour = new Tour(console, connectString, ns, sessionTimeout, connectionTimeout);
            try {
                runSteps(tour, signal);
            } finally {
                tour.closeAll();
            }
        }
        boolean allOk = results.stream().allMatch(Result::ok);
        console.say("");
        console.say("Summary");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            console.say(String.format(
                    Locale.ROOT,
                    "  %d. %-16s %-6s %9s  %s",
                    i + 1,
                    r.name(),
                    r.ok() ? "OK" : r.took().isZero() ? "-" : "FAILED",
                    DurationConverter.show(r.took()),
                    r.outcome()));
        }
        long okCount = results.stream().filter(Result::ok).count();
        console.say(String.format(
                Locale.ROOT,
                "%d of %d steps OK in %s.",
                okCount,
                results.size(),
                DurationConverter.show(Duration.ofNanos(System.nanoTime() - started))));
        return allOk ? Demo.OK : Demo.FAILED;
    }

    private void runSteps(Tour tour, StopSignal stop) throws InterruptedException {
        // The first connection decides whether ZooKeeper is there at all (exit code 3 if not).
        tour.nodes.add(tour.connect("node-1"));
        for (TourStep step : STEPS) {
            if (stop.stopped()) {
                results.add(new Result(step.name(), false, "not run: stopped with Ctrl-C", Duration.ZERO));
                continue;
            }
            run(tour, step);
        }
    }

    private void run(Tour tour, TourStep step) {
        Console console = tour.console;
        console.say("");
        console.say("[" + (results.size() + 1) + "/" + STEPS.size() + "] " + step.title());
        long t0 = System.nanoTime();
        String outcome;
        boolean ok;
        try {
            outcome = step.run(tour);
            ok = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
            ok = false;
        } catch (Exception e) {
            outcome = e.getMessage() == null ? e.toString() : e.getMessage();
            ok = false;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        console.say("  => " + (ok ? "OK: " : "FAILED: ") + outcome);
        results.add(new Result(step.name(), ok, outcome, took));
    }
}
