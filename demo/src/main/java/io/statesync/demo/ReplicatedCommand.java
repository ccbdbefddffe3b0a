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

import io.statesync.core.ChangeKind;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.demo.Shards.Assignments;
import io.statesync.recipes.replication.Applied;
import io.statesync.recipes.replication.CommandRejectedException;
import io.statesync.recipes.replication.ReplicatedState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** One node of a replicated state (ReplicatedState): shard assignments changed only by the leader. */
@Command(
        name = "replicated",
        mixinStandardHelpOptions = true,
        description = {
            "One node of a replicated state: who owns which shard, a ReplicatedState at /shards. Any node submits"
                    + " commands; the elected replication leader applies them one at a time with a deterministic"
                    + " function (a claim of a shard another node owns, or a release of one this node does not own,"
                    + " is rejected) and publishes the new state; every node prints every state it takes, with its"
                    + " version (the number of commands consumed). Stop the leader and another node takes over.",
            "Type 'claim SHARD' or 'release SHARD' (e.g. claim shard-1) and Enter to submit it for this node.",
            "With --submit, submits once (repeatable), waits for each outcome, and exits instead (exit code 1 if a"
                    + " command was rejected or not applied)."
        })
final class ReplicatedCommand implements Callable<Integer> {
    static final String PATH = "/shards";

    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions options;

    @Option(
            names = "--submit",
            paramLabel = "'claim|release SHARD'",
            description = "Submit this command for this node (repeatable), print its outcome, and exit.")
    List<String> submit = new ArrayList<>();

    @Option(
            names = "--command-timeout",
            defaultValue = "30s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long a submitted command may wait to be applied (default: ${DEFAULT-VALUE}).")
    Duration commandTimeout;

    @Override
    public Integer call() throws Exception {
        String id = options.nodeId();
        List<Shards.Command> oneShot = new ArrayList<>();
        for (String s : submit) {
            oneShot.add(Shards.Command.typed(s, id)); // bad input fails before connecting
        }
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "--command-timeout must be positive, was " + DurationConverter.show(commandTimeout));
        }
        Console console = new Console(spec.commandLine().getOut(), true);
        try (StopSignal signal = new StopSignal();
                Coordinator coordinator = options.connect(console);
                ReplicatedState<Assignments, Shards.Command> shards = ReplicatedState.builder(
                                coordinator,
                                PATH,
                                Shards.STATE_CODEC,
                                Shards.COMMAND_CODEC,
                                Assignments.none(),
                                Assignments::apply)
                        .participantId(id)
                        .commandTimeout(commandTimeout)
                        .build()) {
            if (!oneShot.isEmpty()) {
                shards.start();
                boolean allApplied = true;
                for (Shards.Command c : oneShot) {
                    allApplied &= submitAndWait(console, shards, c);
                }
                return allApplied ? Demo.OK : Demo.FAILED;
            }
            shards.addListener(new StateListener<Assignments>() {
                @Override
                public void onChange(StateChange<Assignments> change) {
                    change.current()
                            .ifPresent(v -> console.event(id + " sees version " + change.position() + ": " + v.value()
                                    + (change.kind() == ChangeKind.INITIAL ? " (current)" : "")));
                }

                @Override
                public void onError(StateSyncException error) {
                    console.event(id + ": the replicated state reports " + error.getMessage());
                }
            });
            shards.start();
            ScheduledExecutorService leadership = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "statesync-demo-leadership");
                t.setDaemon(true);
                return t;
            });
            try {
                AtomicBoolean leading = new AtomicBoolean();
                var unused = leadership.scheduleWithFixedDelay(
                        () -> {
                            boolean now = shards.isLeader();
                            if (leading.getAndSet(now) != now) {
                                console.event(
                                        now
                                                ? id + " is now the replication leader: it applies every command"
                                                : id + " is no longer the replication leader");
                            }
                        },
                        0,
                        200,
                        TimeUnit.MILLISECONDS);
                options.readLines(
                        console,
                        coordinator,
                        "Type 'claim SHARD' or 'release SHARD' (e.g. claim shard-1) and press Enter to submit it.",
                        line -> {
                            Shards.Command c = Shards.Command.typed(line, id);
                            console.event(id + " submits: " + c);
                            var unused2 = shards.submit(c, options.wait)
                                    .whenComplete((applied, error) -> report(console, c, applied, error));
                        });
                signal.await();
            } finally {
                leadership.shutdownNow();
            }
            console.say(id + " stopping: closing the replicated state and the session");
        }
        return Demo.OK;
    }

    private static boolean submitAndWait(
            Console console, ReplicatedState<Assignments, Shards.Command> shards, Shards.Command c)
            throws InterruptedException {
        console.say(c.node() + " submits: " + c);
        try {
            Applied<Assignments> applied = shards.submit(c).get();
            report(console, c, applied, null);
            return true;
        } catch (ExecutionException e) {
            report(console, c, null, e.getCause());
            return false;
        }
    }

    private static void report(
            Console console, Shards.Command c, @Nullable Applied<Assignments> applied, @Nullable Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (applied != null) {
            console.event(c + ": applied at position " + applied.position() + ", version " + applied.version() + ": "
                    + applied.state().value());
        } else if (e instanceof CommandRejectedException r) {
            console.event(c + ": rejected at position " + r.position() + " (" + r.why() + ")");
        } else {
            console.event(c + ": not applied: " + (e == null ? "unknown" : e.getMessage()));
        }
    }
}
