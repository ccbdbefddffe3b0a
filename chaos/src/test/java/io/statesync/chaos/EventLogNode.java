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
package io.statesync.chaos;

import static io.statesync.chaos.NodeIo.print;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSubscription;
import io.statesync.recipes.eventlog.LogEvent;
import io.statesync.recipes.leader.LeaderElection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A client process of the chaos suite on one {@code EventLog<String>} at {@code /log}. By role:
 *
 * <ul>
 *   <li>{@code leader}: in the election at {@code /election}; while it leads, its singleton task
 *       appends {@code L<epoch>.<node>-<seq>} every 20 ms; a successor takes over as soon as its
 *       predecessor's session is gone (takeover delay zero), so a resumed frozen leader's late
 *       appends can land after its successor's. The log itself does not fence appends; the
 *       epoch in the event is the fence: every reader applies a leader's event only if no event of a
 *       newer epoch came before it in the log (the rule "pass the epoch to the system you write to
 *       and have it refuse a lower one");
 *   <li>{@code append}: appends {@code <node>-<seq>} every 10 ms, unguarded;
 *   <li>{@code read}: only reads.
 * </ul>
 *
 * <p>Every role subscribes to the log from position 0 and, at the end, replays it from 0 with
 * {@code read}. It prints, with {@code System.nanoTime()}:
 *
 * <pre>
 * INVOKE id t             an append is sent
 * OK id position t        it returned that position
 * FAIL id reason          it is known not to have landed (OperationTimeoutException NOT_APPLIED)
 * INFO id reason          its outcome is unknown (UNKNOWN, ConnectionLossException, another error)
 * READ position id t      the subscription delivered the event
 * APPLY position id | FENCED position id   the epoch fence's decision for a leader's event
 * REPLAY position id      the event, read again from position 0 at the end
 * </pre>
 *
 * <p>Arguments: connect string, namespace, node name, session timeout in ms, role. Runs until a
 * line {@code stop} is typed, then stops appending and prints {@code STOPPED <node>}; once a line
 * {@code finish} is typed (every process has stopped), it waits until its listener has run for
 * every event up to the log's end (not only until the subscription's position got there: that
 * counts events handed to the delivery engine, and closing the subscription drops those its
 * listener has not run for yet), prints {@code CAUGHT_UP <node> <delivered> <position> <end>},
 * replays, and prints {@code DONE <node>}.
 */
public final class EventLogNode {
    private static final long APPEND_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private EventLogNode() {}

    public static void main(String[] args) throws Exception {
        String connect = args[0];
        String namespace = args[1];
        String node = args[2];
        Duration session = Duration.ofMillis(Long.parseLong(args[3]));
        String role = args[4];
        AtomicBoolean stop = NodeIo.stopOnInput();
        Duration timeout = Duration.ofSeconds(2);
        try (Coordinator coordinator = Coordinator.builder(connect)
                .namespace(namespace)
                .sessionTimeout(session)
                .build()) {
            coordinator.start();
            coordinator.awaitConnected(Duration.ofSeconds(30));
            try (EventLog<String> log =
                    EventLog.builder(coordinator, "/log", Codec.utf8()).build()) {
                log.start();
                AtomicLong maxEpoch = new AtomicLong(-1);
                // the next position the listener has yet to run for (the subscription's own position
                // counts events handed to the delivery engine, which may not have reached it yet)
                AtomicLong delivered = new AtomicLong();
                EventSubscription<String> sub = log.subscribe(
                        0,
                        change -> change.current().ifPresent(v -> {
                            LogEvent<String> e = v.value();
                            print("READ " + e.position() + " " + e.event() + " " + System.nanoTime());
                            delivered.set(e.position() + 1);
                            long epoch = epochOf(e.event());
                            if (epoch >= 0) {
                                if (epoch >= maxEpoch.get()) {
                                    maxEpoch.set(epoch);
                                    print("APPLY " + e.position() + " " + e.event());
                                } else {
                                    print("FENCED " + e.position() + " " + e.event());
                                }
                            }
                        }));
                AtomicLong seq = new AtomicLong();
                LeaderElection election = null;
                try {
                    if (role.equals("leader")) {
                        election = LeaderElection.builder(coordinator, "/election")
                                .participantId(node)
                                // no wait for a vanished predecessor's task: its late appends are
                                // what the epoch fence is for
                                .takeoverDelay(Duration.ZERO)
                                .scheduledTask(Duration.ofMillis(20), leadership -> {
                                    String id = "L" + leadership.epoch() + "." + node + "-" + seq.incrementAndGet();
                                    append(log, id, timeout);
                                })
                                .build();
                        election.start();
                    }
                    print("STARTED " + node);
                    while (!stop.get()) {
                        if (role.equals("append")) {
                            append(log, node + "-" + seq.incrementAndGet(), timeout);
                        }
                        LockSupport.parkNanos(APPEND_GAP_NANOS); // pacing
                    }
                } finally {
                    if (election != null) {
                        election.close();
                    }
                }
                // the log's end once every process stopped appending: then every event up to it
                // reached the listener, then the replay from 0
                print("STOPPED " + node);
                if (!NodeIo.awaitFinish(Duration.ofSeconds(120))) {
                    print("NO_FINISH " + node);
                }
                long end = log.endPosition(Duration.ofSeconds(30));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (delivered.get() < end && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // a client's own wait
                }
                print("CAUGHT_UP " + node + " " + delivered.get() + " " + sub.position() + " " + end);
                sub.close();
                for (long from = 0; from < end; ) {
                    List<LogEvent<String>> page = log.read(from, 500, Duration.ofSeconds(30));
                    if (page.isEmpty()) {
                        break;
                    }
                    for (LogEvent<String> e : page) {
                        print("REPLAY " + e.position() + " " + e.event());
                    }
                    from = page.get(page.size() - 1).position() + 1;
                }
                print("DONE " + node);
            }
        }
    }

    private static void append(EventLog<String> log, String id, Duration timeout) throws InterruptedException {
        print("INVOKE " + id + " " + System.nanoTime());
        try {
            long position = log.append(id, timeout);
            print("OK " + id + " " + position + " " + System.nanoTime());
        } catch (OperationTimeoutException e) {
            boolean notApplied = e.outcome() == OperationTimeoutException.Outcome.NOT_APPLIED;
            print((notApplied ? "FAIL " : "INFO ") + id + " " + e.outcome());
        } catch (StateSyncException e) {
            print("INFO " + id + " " + e.getClass().getSimpleName());
        }
    }

    /** The epoch of a leader's event {@code L<epoch>.<node>-<seq>}, or -1 for an unguarded one. */
    static long epochOf(String id) {
        if (!id.startsWith("L")) {
            return -1;
        }
        return Long.parseLong(id.substring(1, id.indexOf('.')));
    }
}
