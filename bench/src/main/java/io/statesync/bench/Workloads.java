package io.statesync.bench;

import java.util.ArrayList;
import java.util.List;

/** Every comparison the bench runs, in report order. */
final class Workloads {
    private Workloads() {}

    static List<Comparison> all(boolean quick) {
        List<Comparison> all = new ArrayList<>();
        all.addAll(StateWorkloads.all());
        all.addAll(LockWorkloads.all());
        all.addAll(LeaderWorkloads.all(quick));
        all.addAll(EventLogWorkloads.all(quick));
        all.addAll(QueueWorkloads.all(quick));
        all.addAll(ReplicationWorkloads.all());
        return all;
    }
}
