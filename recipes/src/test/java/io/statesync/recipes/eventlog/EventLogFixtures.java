package io.statesync.recipes.eventlog;

import io.statesync.core.Coordinator;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;

/** Shared setup for the event-log tests. */
final class EventLogFixtures {
    private EventLogFixtures() {}

    static Coordinator connect(ZooKeeperExtension zk, String connectString) throws InterruptedException {
        return connect(zk, connectString, Duration.ofSeconds(20));
    }

    static Coordinator connect(ZooKeeperExtension zk, String connectString, Duration sessionTimeout)
            throws InterruptedException {
        Coordinator c = Coordinator.builder(connectString)
                .namespace(zk.namespace())
                .sessionTimeout(sessionTimeout)
                .connectionTimeout(Duration.ofSeconds(2))
                .build();
        c.start();
        c.awaitConnected(Duration.ofSeconds(10));
        return c;
    }
}
