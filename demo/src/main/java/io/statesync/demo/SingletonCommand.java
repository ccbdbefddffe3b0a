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

import io.statesync.core.Coordinator;
import io.statesync.recipes.leader.LeaderElection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One node of a leader election with a singleton task that runs only on the leader. */
@Command(
        name = "singleton",
        mixinStandardHelpOptions = true,
        description = {
            "One node of a LeaderElection at /singleton with a scheduled task that runs every --every, only on the"
                    + " leader, with the leadership's epoch (its fencing token). Every node prints who leads.",
            "Stop the leader with Ctrl-C: it stops its task and hands over at once. Kill it with kill -9: the next"
                    + " node takes over after the session timeout plus the takeover delay, with a higher epoch."
        })
final class SingletonCommand extends NodeCommand {
    static final String PATH = "/singleton";

    @Option(
            names = "--every",
            defaultValue = "1s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How often the task runs on the leader (default: ${DEFAULT-VALUE}).")
    Duration every;

    @Override
    int run(Console console, String id, StopSignal signal, Coordinator coordinator) throws Exception {
        AtomicLong runs = new AtomicLong();
        try (LeaderElection election = LeaderElection.builder(coordinator, PATH)
                .participantId(id)
                .metadata("pid " + ProcessHandle.current().pid())
                .scheduledTask(
                        every,
                        leadership -> console.event(id + " runs the singleton task, run " + runs.incrementAndGet()
                                + " (epoch " + leadership.epoch() + ")"))
                .stopTimeout(Duration.ofSeconds(1))
                .onTaskStop(stop -> console.event(id + "'s task stopped: " + stop.reason() + " after "
                        + stop.duration().toMillis() + " ms"))
                .build()) {
            election.addListener(change -> console.event(change.current()
                    .map(v -> "leader is " + v.value().leaderId() + (v.value().isSelf() ? " (this node)" : "")
                            + ", epoch " + v.value().epoch())
                    .orElse("no leader known right now")));
            election.start();
            signal.await();
            console.say(id + " stopping: stopping the task, handing leadership over, closing the session");
        }
        return Demo.OK;
    }
}
