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
package io.statesync.recipes.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Segment math at a small segment size: 200,000 events in segments of 100 positions and groups of
 * 100 segments replay correctly, and no znode of the log ever has more than 100 children, so no
 * list call the log makes is longer than that.
 */
@Timeout(120)
class EventLogScaleTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final int SEGMENT = 100;
    private static final int GROUP = 100;

    @Test
    void twoHundredThousandEventsAcrossTwoThousandSegmentsReplayCorrectlyWithBoundedChildren() throws Exception {
        try (Coordinator writerNode = EventLogFixtures.connect(zk, zk.connectString());
                Coordinator readerNode = EventLogFixtures.connect(zk, zk.connectString());
                EventLog<String> log = EventLog.builder(writerNode, "/big", Codec.utf8())
                        .segmentSize(SEGMENT)
                        .groupSize(GROUP)
                        .build();
                EventLog<String> replica = EventLog.builder(readerNode, "/big", Codec.utf8())
                        .segmentSize(SEGMENT)
                        .groupSize(GROUP)
                        .build()) {
            log.start();
            replica.start();
            int bulk = 199_000;
            int singles = 1_000;
            // Single appends from two threads interleave with packed bulk appends, so segments
            // hold a mix of one-event znodes and packs that end at segment boundaries.
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<?>> singleAppenders = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                singleAppenders.add(pool.submit(() -> {
                    for (int i = 0; i < singles / 2; i++) {
                        log.append("single-" + thread + "-" + i);
                    }
                    return null;
                }));
            }
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < bulk; i++) {
                batch.add("bulk-" + i);
                if (batch.size() == 997 || i == bulk - 1) {
                    log.appendAll(batch);
                    batch.clear();
                }
            }
            for (Future<?> f : singleAppenders) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            long total = (long) bulk + singles;
            assertThat(replica.endPosition()).isEqualTo(total);

            // Every znode's children stay under the bound: 20 groups, 100 segments, <= 100 znodes.
            CuratorFramework curator = readerNode.curatorFramework();
            List<String> groups = curator.getChildren().forPath("/big/log");
            assertThat(groups).hasSize((int) (total / (SEGMENT * GROUP)));
            int largest = groups.size();
            int segments = 0;
            for (String g : groups) {
                List<String> segs = curator.getChildren().forPath("/big/log/" + g);
                largest = Math.max(largest, segs.size());
                segments += segs.size();
                for (String s : segs) {
                    largest = Math.max(
                            largest,
                            curator.getChildren()
                                    .forPath("/big/log/" + g + "/" + s)
                                    .size());
                }
            }
            assertThat(segments).isEqualTo((int) (total / SEGMENT));
            assertThat(largest).isLessThanOrEqualTo(Math.max(SEGMENT, GROUP));

            // A replica reads everything back: every event once, bulk events in append order.
            List<String> all = new ArrayList<>();
            for (long p = 0; p < total; ) {
                List<LogEvent<String>> page = replica.read(p, 5_000);
                assertThat(page).isNotEmpty();
                assertThat(page.get(0).position()).isEqualTo(p);
                page.forEach(e -> all.add(e.event()));
                p += page.size();
            }
            assertThat(all).hasSize((int) total);
            Set<String> distinct = new HashSet<>(all);
            assertThat(distinct).hasSize((int) total);
            List<String> bulkOrder =
                    all.stream().filter(e -> e.startsWith("bulk-")).toList();
            for (int i = 0; i < bulkOrder.size(); i++) {
                assertThat(bulkOrder.get(i)).isEqualTo("bulk-" + i);
            }

            // An event-sourced replica replays the whole log to the same fold.
            BiFunction<Long, String, Long> hash = (h, e) -> h * 31 + e.hashCode();
            long expected = 0;
            for (String e : all) {
                expected = hash.apply(expected, e);
            }
            try (EventSourcedState<Long, String> state =
                    EventSourcedState.builder(replica, 0L, hash).build()) {
                state.start();
                assertThat(state.awaitPosition(total, Duration.ofSeconds(60))).isTrue();
                assertThat(state.current().value()).isEqualTo(expected);
            }
        }
    }

    @Test
    void tenMillionEventsAtTheDefaultsNeedTenGroupsOfAThousandSegmentsOfAThousandPositions() {
        LogStore.Meta defaults = new LogStore.Meta(LogStore.DEFAULT_SEGMENT_SIZE, LogStore.DEFAULT_GROUP_SIZE, 0, 0);
        try (Coordinator unused = Coordinator.builder("127.0.0.1:1").build()) {
            LogStore store = new LogStore(unused, "/ledger", 1000, 1000, Duration.ofSeconds(1));
            assertThat(store.segments.path(defaults, 0)).isEqualTo("/ledger/log/0/0/0");
            assertThat(store.segments.path(defaults, 999)).isEqualTo("/ledger/log/0/0/999");
            assertThat(store.segments.path(defaults, 1_000)).isEqualTo("/ledger/log/0/1/1000");
            assertThat(store.segments.path(defaults, 999_999)).isEqualTo("/ledger/log/0/999/999999");
            assertThat(store.segments.path(defaults, 1_000_000)).isEqualTo("/ledger/log/1/1000/1000000");
            // The last of ten million events: group 9 of 10, segment 9,999 of 10,000.
            assertThat(store.segments.path(defaults, 9_999_999)).isEqualTo("/ledger/log/9/9999/9999999");
        }
    }
}
