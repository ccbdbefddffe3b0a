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

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateSyncException;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.WorkQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** One worker of a work queue (WorkQueue): takes jobs, works on each for a while, acknowledges it. */
@Command(
        name = "queue",
        mixinStandardHelpOptions = true,
        description = {
            "One worker of the WorkQueue at /jobs: takes a job, works on it for --work, acknowledges it, takes the"
                    + " next. A job is claimed by one worker at a time and removed only when acknowledged.",
            "Type a job name and Enter to offer it. With --offer N, offers N jobs in one atomic batch and exits.",
            "Kill a worker with kill -9 while it works on a job: the job is delivered again (delivery 2) to"
                    + " another worker once the dead worker's session times out."
        })
final class QueueCommand implements Callable<Integer> {
    static final String PATH = "/jobs";

    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions options;

    @Option(
            names = "--work",
            defaultValue = "2s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long each job takes (default: ${DEFAULT-VALUE}).")
    Duration work;

    @Option(
            names = "--offer",
            paramLabel = "N",
            defaultValue = "0",
            description = "Offer N jobs in one atomic batch, print their positions, and exit.")
    int offer;

    @Override
    public Integer call() throws Exception {
        if (offer < 0 || offer > 10_000) {
            throw new IllegalArgumentException("--offer must be 0 to 10000, was " + offer);
        }
        Console console = new Console(spec.commandLine().getOut(), true);
        String id = options.nodeId();
        try (StopSignal signal = new StopSignal();
                Coordinator coordinator = options.connect(console);
                WorkQueue<String> queue = WorkQueue.builder(coordinator, PATH, Codec.utf8())
                        .maxDeliveries(5)
                        .build()) {
            queue.start();
            if (offer > 0) {
                List<String> jobs = new ArrayList<>();
                String batch = Long.toString(System.currentTimeMillis() % 100_000, 36);
                for (int i = 1; i <= offer; i++) {
                    jobs.add(String.format(Locale.ROOT, "job-%s-%d", batch, i));
                }
                long first = queue.offerAll(jobs);
                console.say(id + " offered " + offer + " jobs at positions " + first + ".." + (first + offer - 1));
                return Demo.OK;
            }
            options.readLines(
                    console,
                    coordinator,
                    "Type a job name and press Enter to offer it.",
                    line -> console.event(id + " offered " + line + " at position " + queue.offer(line, options.wait)));
            console.event(id + " waits for jobs");
            boolean failing = false;
            while (!signal.stopped()) {
                Optional<Claim<String>> taken;
                try {
                    taken = queue.take(Duration.ofMillis(500));
                } catch (StateSyncException e) {
                    // An outage: say it once, then keep trying (the node says every few seconds that it
                    // is still waiting for ZooKeeper).
                    if (!failing) {
                        console.event(id + " cannot take jobs now, and keeps trying: " + e.getMessage());
                        failing = true;
                    }
                    signal.await(Duration.ofSeconds(1));
                    continue;
                }
                if (failing) {
                    console.event(id + " takes jobs again");
                    failing = false;
                }
                if (taken.isEmpty()) {
                    continue;
                }
                try (Claim<String> claim = taken.get()) {
                    console.event(id + " works on " + claim.value() + " (delivery " + claim.deliveryCount() + ")");
                    if (signal.await(work)) {
                        console.event(id + " stops before finishing " + claim.value() + ": it goes back to the queue");
                        break;
                    }
                    claim.ack();
                    console.event(id + " finished " + claim.value() + " and acknowledged it");
                } catch (StateSyncException e) {
                    console.event(id + ": " + e.getMessage());
                }
            }
            console.say(id + " stopping: giving back any job it holds, closing the session");
        }
        return Demo.OK;
    }
}
