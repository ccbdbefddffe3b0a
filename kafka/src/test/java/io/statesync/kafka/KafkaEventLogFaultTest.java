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
package io.statesync.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.eventlog.EventSourcedState;
import io.statesync.recipes.eventlog.EventSubscription;
import io.statesync.recipes.eventlog.LogEvent;
import io.statesync.testkit.Faults;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The Kafka event log through real faults: the broker restarts while appends are in flight (with a
 * producer delivery timeout short enough that sends fail and go out again from a new producer, so
 * the topic may hold copies), and a node's ZooKeeper session expires.
 */
@Timeout(240)
class KafkaEventLogFaultTest extends KafkaTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(90);

    /** A node whose session ends 6 s after its connection does, so that an expiry is quick. */
    private Coordinator shortSessionNode() throws InterruptedException {
        return node(b -> b.sessionTimeout(Duration.ofSeconds(6)));
    }

    private KafkaEventLog<String> open(Coordinator node) {
        return started(kafkaLog(node, "/faults", Codec.utf8())
                // Sends fail within seconds of the broker going away, so the log's own resend (a new
                // producer, the same writer id and sequence) is what brings them in.
                .clientProperties(Map.of(
                        "delivery.timeout.ms", 3_000,
                        "request.timeout.ms", 2_000,
                        "reconnect.backoff.max.ms", 500))
                .appendTimeout(Duration.ofSeconds(60)));
    }

    private static String sum(String state, String event) {
        return String.valueOf(Long.parseLong(state) + event.hashCode());
    }

    @Test
    void everyAcknowledgedAppendIsAppliedOnceThroughABrokerRestartAndASessionExpiry() throws Exception {
        Coordinator a = shortSessionNode();
        Coordinator b = shortSessionNode();
        KafkaEventLog<String> logA = open(a);
        KafkaEventLog<String> logB = open(b);
        List<List<LogEvent<String>>> seen = new ArrayList<>();
        List<EventSourcedState<String, String>> states = new ArrayList<>();
        for (KafkaEventLog<String> log : List.of(logA, logB)) {
            List<LogEvent<String>> events = new CopyOnWriteArrayList<>();
            EventSubscription<String> sub = log.log()
                    .subscribe(
                            0,
                            change -> events.add(change.current().orElseThrow().value()));
            nodes.closeLater(sub);
            seen.add(events);
            EventSourcedState<String, String> state = EventSourcedState.builder(
                            log.log(), "0", KafkaEventLogFaultTest::sum)
                    .snapshots(Codec.utf8(), 25)
                    .build();
            nodes.closeLater(state);
            state.start();
            states.add(state);
        }

        AppendHistory history = new AppendHistory();
        int writers = 4;
        int perPhase = 15;
        CyclicBarrier barrier = new CyclicBarrier(writers + 1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> running = history.phasedWriters(
                    pool, List.of(logA.log(), logB.log()), writers, 3, perPhase, barrier, Duration.ofSeconds(170));
            barrier.await(60, TimeUnit.SECONDS); // phase 0: no fault
            barrier.await(60, TimeUnit.SECONDS); // phase 1: the broker restarts under the appends
            long t0 = System.nanoTime();
            kafka.restartBroker(Duration.ofSeconds(4));
            LoggerFactory.getLogger(KafkaEventLogFaultTest.class)
                    .info("broker restarted in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            barrier.await(170, TimeUnit.SECONDS); // phase 2: A's ZooKeeper session expires
            Faults.expireSession(
                    a.curatorFramework().getZookeeperClient().getZooKeeper(),
                    zk.connectString(),
                    Duration.ofSeconds(10));
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        long end = logA.log().endPosition();
        history.checkReaders(seen, WAIT);
        for (EventSourcedState<String, String> state : states) {
            assertThat(state.awaitPosition(end, WAIT)).isTrue();
        }
        assertThat(states.get(0).current().value())
                .isEqualTo(states.get(1).current().value());
        assertThat(logB.log().read(0, 10_000)).hasSameSizeAs(seen.get(0));
    }
}
