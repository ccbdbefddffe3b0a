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
package io.statesync.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.internal.Telemetry;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSubscription;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.recipes.membership.GroupMembership;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.replication.ReplicatedState;
import io.statesync.recipes.state.SharedState;
import io.statesync.recipes.watch.StateTree;
import io.statesync.testkit.ZooKeeperExtension;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Grafana dashboard in docs/grafana queries series that the binder really exports in
 * Prometheus' format, and shows every meter of the catalogue.
 */
@Timeout(60)
class DashboardQueriesTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "statesync-dashboard.json");
    private static final Pattern SERIES = Pattern.compile("statesync_[a-z_]+");

    @Test
    void everySeriesTheDashboardQueriesIsExportedAndEveryMeterIsShown() throws Exception {
        String dashboard = Files.readString(DASHBOARD, StandardCharsets.UTF_8);
        Set<String> queried = new TreeSet<>();
        Matcher m = SERIES.matcher(dashboard);
        while (m.find()) {
            queried.add(m.group());
        }
        assertThat(queried).isNotEmpty();

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Coordinator c = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build();
                StateSyncMetrics metrics = new StateSyncMetrics(c)) {
            metrics.bindTo(registry);
            c.start();
            c.awaitConnected(Duration.ofSeconds(10));
            AtomicInteger calls = new AtomicInteger();
            try (SharedState<String> state = SharedState.builder(c, "/dashboard", Codec.utf8(), "a")
                            .build();
                    StateTree<String> tree =
                            StateTree.builder(c, "/tree", Codec.utf8()).build();
                    GroupMembership<String> group = GroupMembership.builder(c, "/group", Codec.utf8())
                            .memberId("m1")
                            .metadata("x")
                            .build();
                    LeaderElection election = LeaderElection.builder(c, "/election")
                            .participantId("p1")
                            .takeoverDelay(Duration.ZERO)
                            .build();
                    DistributedLock lock = DistributedLock.builder(c, "/lock").build();
                    WorkQueue<String> queue =
                            WorkQueue.builder(c, "/queue", Codec.utf8()).build();
                    EventLog<String> log =
                            EventLog.builder(c, "/log", Codec.utf8()).build();
                    ReplicatedState<Long, Long> counter = ReplicatedState.builder(
                                    c, "/counter", Codec.longs(), Codec.longs(), 0L, Long::sum)
                            .build()) {
                state.addListener(change -> calls.incrementAndGet());
                queue.addListener(change -> {});
                for (var r : List.of(state, tree, group, election, lock, queue, log, counter)) {
                    r.start();
                }
                state.set("b");
                // the recipe's listener meters appear with its first delivered change
                await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 2);
                assertThat(counter.submit(1L).get(20, TimeUnit.SECONDS).version())
                        .isPositive();
                try (EventSubscription<String> sub = log.subscribe(0, change -> {});
                        LockHandle held = lock.acquire(Duration.ofSeconds(10))) {
                    assertThat(held.isValid()).isTrue();
                    assertThat(sub.state()).isNotNull();
                    // The recipes' inner meters appear with their first event: one of each, through
                    // the path the recipes report on, named by the binder as it names theirs.
                    Telemetry.Probe probe = c.internalTelemetry().probe("SharedState /inner", "/inner");
                    for (Telemetry.Event event : Telemetry.Event.values()) {
                        if (event.kind() == Telemetry.Event.Kind.COUNT) {
                            probe.count(event);
                        } else {
                            probe.record(event, 1);
                        }
                    }
                    registry.scrape(); // the per-recipe gauges appear with the first reading of the recipes
                    String scrape = registry.scrape();
                    Set<String> exported = new TreeSet<>();
                    Matcher e = Pattern.compile("(?m)^(statesync_[a-z_]+)[{ ]").matcher(scrape);
                    while (e.find()) {
                        exported.add(e.group(1));
                    }
                    assertThat(exported)
                            .as("series the dashboard queries, in the binder's scrape:%n%s", scrape)
                            .containsAll(queried);
                    for (String meter : catalogue()) {
                        String base = meter.replace('.', '_');
                        assertThat(queried)
                                .as("the dashboard shows meter %s", meter)
                                .anyMatch(q -> q.startsWith(base));
                    }
                }
            }
        }
    }

    /** Every meter name the binder declares. */
    private static Set<String> catalogue() throws IllegalAccessException {
        Set<String> names = new TreeSet<>();
        for (Field f : StateSyncMetrics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())
                    && f.getType() == String.class
                    && f.get(null) instanceof String name
                    && name.startsWith("statesync.")) {
                names.add(name);
            }
        }
        return names;
    }
}
