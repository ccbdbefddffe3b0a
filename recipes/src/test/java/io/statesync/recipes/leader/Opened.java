package io.statesync.recipes.leader;

import io.statesync.core.Coordinator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Coordinators and recipes a test opens, closed in reverse order after it. */
final class Opened implements AutoCloseable {
    private final List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());

    <C extends AutoCloseable> C add(C resource) {
        resources.add(resource);
        return resource;
    }

    Coordinator coordinator(String connectString, String namespace, Duration sessionTimeout)
            throws InterruptedException {
        Coordinator c = add(Coordinator.builder(connectString)
                .namespace(namespace)
                .sessionTimeout(sessionTimeout)
                .connectionTimeout(Duration.ofMillis(Math.min(sessionTimeout.toMillis(), 2000)))
                .build());
        c.start();
        c.awaitConnected(Duration.ofSeconds(20));
        return c;
    }

    @Override
    public void close() {
        List<AutoCloseable> reversed;
        synchronized (resources) {
            reversed = new ArrayList<>(resources);
            resources.clear();
        }
        Collections.reverse(reversed);
        AssertionError failure = null;
        for (AutoCloseable r : reversed) {
            try {
                r.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new AssertionError("closing " + r + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
