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
package io.statesync.spring.boot;

import io.statesync.core.Coordinator;
import io.statesync.recipes.leader.LeaderElection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * The elections behind {@link LeaderOnly @LeaderOnly}, one per name. Built when the {@code
 * @Scheduled} method is registered (a bad name fails startup), joined only on this context's {@link
 * ApplicationReadyEvent}, and closed in phase {@link StateSyncAutoConfiguration#LEADER_ONLY_PHASE} when
 * the context stops (before the scheduler waits for its tasks, long before the coordinator's phase)
 * or, at the latest, when the bean is destroyed (before the coordinator it depends on).
 */
final class LeaderOnlyElections implements SmartLifecycle, ApplicationListener<ApplicationReadyEvent>, DisposableBean {
    private final Coordinator coordinator;
    private final StateSyncProperties.LeaderOnly settings;
    private final ApplicationContext context;
    private final Map<String, LeaderGate> gates = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    // guarded by lock
    private boolean ready;
    // guarded by lock: the application was ready once, so a lifecycle restart joins again
    private boolean wasReady;
    private volatile boolean running;

    /**
     * Creates the elections' holder, checking {@code statesync.leader-only.*} at once (an election is
     * built, never started), so that a bad value fails startup even before a {@code @LeaderOnly}
     * method is registered.
     *
     * @throws InvalidConfigurationPropertyValueException naming the property at fault
     */
    LeaderOnlyElections(Coordinator coordinator, StateSyncProperties.LeaderOnly settings, ApplicationContext context) {
        this.coordinator = coordinator;
        this.settings = settings;
        this.context = context;
        validate(coordinator, settings);
    }

    private static String path(StateSyncProperties.LeaderOnly settings, String name) {
        String base = settings.getBasePath();
        return (base.endsWith("/") ? base : base + "/") + name;
    }

    /** One {@code statesync.leader-only.*} property: its name, its value, how it sets the builder. */
    private record Setting(String property, @Nullable Object value, UnaryOperator<LeaderElection.Builder> apply) {}

    /** Builds an election with one setting more at a time: the first refused names the property. */
    private static void validate(Coordinator coordinator, StateSyncProperties.LeaderOnly settings) {
        String prefix = "statesync.leader-only.";
        Duration delay = settings.getTakeoverDelay();
        List<Setting> steps = List.of(
                new Setting(prefix + "base-path", settings.getBasePath(), b -> b),
                new Setting(
                        prefix + "stop-timeout",
                        settings.getStopTimeout(),
                        b -> b.stopTimeout(settings.getStopTimeout())),
                new Setting(
                        prefix + "suspend-grace",
                        settings.getSuspendGrace(),
                        b -> b.suspendGrace(settings.getSuspendGrace())),
                new Setting(prefix + "takeover-delay", delay, b -> delay == null ? b : b.takeoverDelay(delay)));
        LeaderElection.Builder builder = LeaderElection.builder(coordinator, path(settings, "validation"))
                .task(leadership -> {});
        for (Setting step : steps) {
            builder = step.apply().apply(builder);
            try {
                // Built, never started: no thread, no network; closed at once.
                builder.build().close();
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationPropertyValueException(step.property(), step.value(), e.getMessage());
            }
        }
    }

    /**
     * The gate of an election, built on first use; joined at once if the application is ready.
     *
     * @throws IllegalArgumentException if the name or the path it makes is not valid
     */
    LeaderGate gate(String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException(
                    "@LeaderOnly(\"" + name + "\"): the name must be one path segment, not empty, without '/'");
        }
        String path = path(settings, name);
        synchronized (lock) {
            LeaderGate gate = gates.get(name);
            if (gate == null) {
                try {
                    gate = new LeaderGate(coordinator, name, path, settings, context::publishEvent, this);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "@LeaderOnly(\"" + name + "\") at " + path + " (statesync.leader-only.base-path): "
                                    + e.getMessage(),
                            e);
                }
                gates.put(name, gate);
                if (ready) {
                    gate.start();
                }
            }
            return gate;
        }
    }

    /** The gate of a name, if one was built; for tests. */
    LeaderGate existing(String name) {
        LeaderGate gate = gates.get(name);
        if (gate == null) {
            throw new IllegalArgumentException("no @LeaderOnly(\"" + name + "\") method");
        }
        return gate;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (event.getApplicationContext() != context) {
            return; // a parent's or a child's
        }
        List<LeaderGate> toStart;
        synchronized (lock) {
            if (ready) {
                return;
            }
            ready = true;
            wasReady = true;
            toStart = new ArrayList<>(gates.values());
        }
        toStart.forEach(LeaderGate::start);
    }

    /**
     * At the context's first start, nothing: the elections are joined on {@link
     * ApplicationReadyEvent}. At a restart after a lifecycle stop (a context stopped and started,
     * or paused and restarted by Spring's test-context cache), the application has been ready, and
     * no new ready event comes: the elections are joined again here.
     */
    @Override
    public void start() {
        running = true;
        List<LeaderGate> toStart = List.of();
        synchronized (lock) {
            if (wasReady && !ready) {
                ready = true;
                toStart = new ArrayList<>(gates.values());
            }
        }
        toStart.forEach(LeaderGate::start);
    }

    @Override
    public void stop() {
        running = false;
        closeAll();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return StateSyncAutoConfiguration.LEADER_ONLY_PHASE;
    }

    @Override
    public void destroy() {
        synchronized (lock) {
            wasReady = false; // destroyed: never joined again
        }
        closeAll();
    }

    private void closeAll() {
        List<LeaderGate> toClose;
        synchronized (lock) {
            ready = false;
            toClose = new ArrayList<>(gates.values());
        }
        // Each close stops its methods first (the hand-over waits for them), then deletes its znode.
        toClose.forEach(LeaderGate::close);
    }
}
