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
import io.statesync.demo.Ledger.Balances;
import io.statesync.demo.Ledger.Transfer;
import io.statesync.kafka.KafkaEventLog;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSourcedState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** One node of an event-sourced ledger (EventLog + EventSourcedState). */
@Command(
        name = "ledger",
        mixinStandardHelpOptions = true,
        description = {
            "One node of an event-sourced ledger: an EventLog of transfers at /ledger, folded into balances"
                    + " (alice, bob and carol start with 100 each) by an EventSourcedState. A node started late"
                    + " replays the whole log and reaches the same balances.",
            "Type a transfer as FROM TO AMOUNT (e.g. alice bob 10) and Enter to append it; every node applies it.",
            "With --append, appends once (repeatable) and exits instead.",
            "With --kafka HOST:PORT, the log is a Kafka topic (statesync.ledger) on that cluster; ZooKeeper still"
                    + " coordinates. Every node of one ledger must use the same storage."
        })
final class LedgerCommand implements Callable<Integer> {
    static final String PATH = "/ledger";

    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions options;

    @Option(
            names = "--append",
            paramLabel = "'FROM TO AMOUNT'",
            description = "Append this transfer (repeatable), print its position, and exit.")
    List<String> append = new ArrayList<>();

    @Option(
            names = "--kafka",
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Keep the log in a Kafka topic on these bootstrap servers instead of in ZooKeeper.")
    @Nullable
    String kafka;

    @Override
    public Integer call() throws Exception {
        List<Transfer> oneShot = new ArrayList<>();
        for (String a : append) {
            oneShot.add(Transfer.parse(a)); // bad input fails before connecting
        }
        Console console = new Console(spec.commandLine().getOut(), true);
        String id = options.nodeId();
        try (StopSignal signal = new StopSignal();
                Coordinator coordinator = options.connect(console);
                @Nullable
                        KafkaEventLog<Transfer> onKafka = kafka == null
                                ? null
                                : KafkaEventLog.builder(coordinator, PATH, Ledger.CODEC)
                                        .bootstrapServers(kafka)
                                        .build();
                EventLog<Transfer> log = onKafka != null
                        ? onKafka.log()
                        : EventLog.builder(coordinator, PATH, Ledger.CODEC).build()) {
            log.start();
            if (onKafka != null) {
                console.say(id + " keeps the ledger in Kafka topic " + onKafka.topic() + " at " + kafka);
            }
            if (!oneShot.isEmpty()) {
                for (Transfer t : oneShot) {
                    console.say(id + " appended " + t + " at position " + log.append(t));
                }
                return Demo.OK;
            }
            try (EventSourcedState<Balances, Transfer> balances = EventSourcedState.builder(
                            log, Balances.opening(), Balances::apply)
                    .build()) {
                balances.addListener(change -> change.current()
                        .ifPresent(v -> console.event(id
                                + (change.kind() == ChangeKind.INITIAL ? " replayed the log: " : " applied up to: ")
                                + balances.position() + " events, balances " + v.value())));
                balances.addListener(new io.statesync.core.StateListener<Balances>() {
                    @Override
                    public void onChange(io.statesync.core.StateChange<Balances> change) {}

                    @Override
                    public void onError(io.statesync.core.StateSyncException error) {
                        console.event(id + ": the ledger reports " + error.getMessage());
                    }
                });
                balances.start();
                options.readLines(
                        console,
                        coordinator,
                        "Type a transfer as FROM TO AMOUNT (e.g. alice bob 10) and press Enter.",
                        line -> {
                            Transfer t = Transfer.parse(line);
                            console.event(id + " appended " + t + " at position " + log.append(t, options.wait));
                        });
                signal.await();
                console.say(id + " stopping: closing the ledger and the session");
            }
        }
        return Demo.OK;
    }
}
