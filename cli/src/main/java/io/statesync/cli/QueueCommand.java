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
package io.statesync.cli;

import io.statesync.core.Codec;
import io.statesync.recipes.queue.DeadLetter;
import io.statesync.recipes.queue.WorkQueue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code statesync queue requeue|purge-dead PATH}: repairs of a work queue's dead letters. */
@Command(
        name = "queue",
        description = "Repairs of a work queue's dead letters.",
        subcommands = {QueueCommand.Requeue.class, QueueCommand.PurgeDead.class})
final class QueueCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(
                spec.commandLine(), "a command is missing: requeue or purge-dead");
    }

    /** What a repair command shares: the connection, the queue's path, the confirmation. */
    abstract static class Repair implements Callable<Integer> {
        @Mixin
        ConnectOptions connection;

        @Parameters(index = "0", paramLabel = "PATH", description = "The work queue's path.")
        String path;

        @Option(names = "--yes", description = "Do it without asking.")
        boolean yes;

        @Spec
        CommandSpec spec;

        abstract int repair(Session s, WorkQueue<byte[]> queue, PrintWriter out) throws InterruptedException;

        @Override
        public Integer call() throws InterruptedException {
            String p = ReadOptions.checkPath(path);
            PrintWriter out = spec.commandLine().getOut();
            try (Session s = Session.open(connection)) {
                Inspector inspector = new Inspector(s.znodes, Inspector.ValueFormat.AUTO, 1);
                Znodes.Node node = inspector.require(p);
                Kind kind = inspector.recognise(node).orElse(null);
                if (kind != Kind.WORK_QUEUE) {
                    throw new CliException(
                            CliException.NO_RECIPE,
                            "no work queue at " + p + (kind == null ? "" : ": it is a " + kind.label));
                }
                Map<String, Object> view = inspector.view(node, kind);
                // The stored sizes, so that the queue uses them without a warning.
                try (WorkQueue<byte[]> queue = WorkQueue.builder(s.coordinator, p, Codec.bytes())
                        .segmentSize((int) Inspector.number(view, "segmentSize"))
                        .groupSize((int) Inspector.number(view, "groupSize"))
                        .build()) {
                    queue.start();
                    return repair(s, queue, out);
                }
            }
        }

        /** Asks on standard input unless {@code --yes}; exit code 6 if not confirmed. */
        void confirm(PrintWriter out, String question) {
            if (yes) {
                return;
            }
            out.print(question + " [y/N] ");
            out.flush();
            String answer;
            try {
                Statesync root = (Statesync) spec.root().userObject();
                answer = new BufferedReader(new InputStreamReader(root.in, Charset.defaultCharset())).readLine();
            } catch (IOException e) {
                answer = null;
            }
            out.println();
            if (answer == null || !List.of("y", "yes").contains(answer.trim().toLowerCase(Locale.ROOT))) {
                throw new CliException(CliException.NOT_CONFIRMED, "not confirmed: nothing changed");
            }
        }

        static List<DeadLetter<byte[]>> allDeadLetters(WorkQueue<byte[]> queue) throws InterruptedException {
            List<DeadLetter<byte[]>> all = new ArrayList<>();
            long from = 0;
            while (true) {
                List<DeadLetter<byte[]>> page = queue.deadLetters(from, 1000);
                all.addAll(page);
                if (page.size() < 1000) {
                    return all;
                }
                from = page.get(page.size() - 1).id() + 1;
            }
        }

        static String describe(DeadLetter<byte[]> d) {
            return "dead letter " + d.id() + " (was position " + d.position() + ", " + d.cause() + " after "
                    + d.deliveries() + " deliveries: " + d.detail() + ")";
        }
    }

    @Command(
            name = "requeue",
            description = "Puts dead letters back on the queue (WorkQueue.requeueDeadLetter): each is deleted and its"
                    + " item appended at the tail, atomically, with its delivery count back at 0.")
    static final class Requeue extends Repair {
        @Option(names = "--all", description = "Every dead letter.")
        boolean all;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "ID", description = "The dead letters' ids.")
        List<Long> ids = new ArrayList<>();

        @Override
        int repair(Session s, WorkQueue<byte[]> queue, PrintWriter out) throws InterruptedException {
            Map<Long, DeadLetter<byte[]>> dead = new LinkedHashMap<>();
            for (DeadLetter<byte[]> d : allDeadLetters(queue)) {
                dead.put(d.id(), d);
            }
            List<DeadLetter<byte[]>> chosen = new ArrayList<>();
            if (all == !ids.isEmpty()) {
                throw new CliException(
                        CliException.FAILED,
                        "give either --all or the ids of the dead letters to requeue, not "
                                + (all ? "both" : "neither"));
            }
            if (all) {
                chosen.addAll(dead.values());
            } else {
                for (long id : ids) {
                    DeadLetter<byte[]> d = dead.get(id);
                    if (d == null) {
                        throw new CliException(
                                CliException.FAILED,
                                "work queue " + path + " has no dead letter " + id + " (its dead letters: "
                                        + (dead.isEmpty() ? "none" : dead.keySet()) + "); nothing changed");
                    }
                    chosen.add(d);
                }
            }
            if (chosen.isEmpty()) {
                out.println("work queue " + path + " has no dead letters: nothing to requeue");
                return 0;
            }
            out.println("will requeue " + chosen.size() + " of the " + dead.size() + " dead letters of " + path + ":");
            for (DeadLetter<byte[]> d : chosen) {
                out.println("  " + describe(d));
            }
            confirm(out, "Requeue them?");
            for (DeadLetter<byte[]> d : chosen) {
                long position = queue.requeueDeadLetter(d.id());
                out.println("requeued dead letter " + d.id() + " at position " + position);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "purge-dead", description = "Deletes every dead letter of the queue (WorkQueue.purgeDeadLetters).")
    static final class PurgeDead extends Repair {
        @Override
        int repair(Session s, WorkQueue<byte[]> queue, PrintWriter out) throws InterruptedException {
            List<DeadLetter<byte[]>> dead = allDeadLetters(queue);
            if (dead.isEmpty()) {
                out.println("work queue " + path + " has no dead letters: nothing to purge");
                return 0;
            }
            out.println("will delete the " + dead.size() + " dead letters of " + path + ":");
            for (DeadLetter<byte[]> d : dead) {
                out.println("  " + describe(d));
            }
            confirm(out, "Delete them?");
            long deleted = queue.purgeDeadLetters();
            out.println("deleted " + deleted + " dead letters");
            out.flush();
            return 0;
        }
    }
}
