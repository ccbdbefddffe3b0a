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
package io.statesync.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Every comparison the bench runs, in report order, each in its workload group. */
final class Workloads {
    private Workloads() {}

    /** Comparisons that run only when {@code --only} names them (they take many minutes). */
    static final Set<String> ON_REQUEST = Set.of("kafka-history");

    static List<Comparison> all(boolean quick) {
        List<Comparison> all = new ArrayList<>();
        add(all, "state", StateWorkloads.all());
        add(all, "lock", LockWorkloads.all());
        add(all, "leader", LeaderWorkloads.all(quick));
        add(all, "eventlog", EventLogWorkloads.all(quick));
        add(all, "queue", QueueWorkloads.all(quick));
        add(all, "queue-depth", QueueDepthWorkloads.all(quick)); // one group per depth, and one for redelivery
        add(all, "replication", ReplicationWorkloads.all());
        add(all, "large", LargeValueWorkloads.all(quick)); // one group per size, named by each comparison
        add(all, "instances", InstanceWorkloads.all(quick));
        add(all, "storm", ReconnectWorkloads.all(quick)); // restarts its group's server
        add(all, "overhead", OverheadWorkloads.all());
        add(all, "fanout", FanoutWorkloads.all(quick));
        add(all, "eventlog-live", EventLogTailWorkloads.all(quick));
        add(all, EnsembleWorkloads.GROUP, EnsembleWorkloads.all(quick)); // the "ensemble" group on 3 servers
        add(all, "kafka", KafkaWorkloads.all(quick)); // full mode only: a broker process of its own
        add(all, "kafka-history", KafkaWorkloads.history(quick)); // on request: --only kafka-history
        return all;
    }

    /** Adds the comparisons of one class as one group (one fresh server), unless one names its own. */
    private static void add(List<Comparison> all, String group, List<Comparison> comparisons) {
        for (Comparison c : comparisons) {
            all.add(c.group().isEmpty() ? c.inGroup(group) : c);
        }
    }
}
