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
import io.statesync.core.StateChange;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.leader.Leadership;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code @LeaderOnly} election and the gate its methods pass. The election's singleton task
 * holds the leadership open for as long as this node leads: the gate lets a method run only while it
 * does, and when it ends (the task interrupted) the task interrupts the running methods and waits
 * for them to return before it returns, so the election hands over only after they have.
 */
final class LeaderGate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderGate.class);

    /** What a leader-only method does with the leadership it runs under. */
    @FunctionalInterface
    interface Invocation {
        void run(Leadership leadership);
    }

    private final String name;
    private final String path;
    private final Supplier<LeaderElection> elections;
    private final Object lock = new Object();

    // guarded by lock for writes; the election of the current membership (a new one after a close)
    private volatile LeaderElection election;

    // guarded by lock: the current election was closed, the next start builds a new one
    private boolean closed;

    // guarded by lock
    private @Nullable Leadership leading;

    // guarded by lock
    private final Set<Thread> running = new HashSet<>();

    // guarded by lock
    private final Set<Thread> interrupted = new HashSet<>();

    // guarded by lock
    private boolean started;

    LeaderGate(
            Coordinator coordinator,
            String name,
            String path,
            StateSyncProperties.LeaderOnly settings,
            Consumer<LeadershipChangedEvent> publisher,
            Object eventSource) {
        this.name = name;
        this.path = path;
        this.elections = () -> {
            LeaderElection e = configure(
                            LeaderElection.builder(coordinator, path).task(this::lead), settings)
                    .build();
            e.addListener(new io.statesync.core.StateListener<Leadership>() {
                @Override
                public void onChange(StateChange<Leadership> change) {
                    Leadership current = change.current().map(Versioned::value).orElse(null);
                    publisher.accept(new LeadershipChangedEvent(eventSource, name, path, change.kind(), current));
                }

                @Override
                public void onError(StateSyncException e) {
                    LOG.warn("@LeaderOnly(\"{}\") election at {}: {}", name, path, e.getMessage(), e);
                }
            });
            return e;
        };
        this.election = elections.get();
    }

    /**
     * Sets the election options of {@code statesync.leader-only.*} on a builder: the stop timeout,
     * the suspend grace and, if set, the takeover delay.
     */
    static LeaderElection.Builder configure(LeaderElection.Builder builder, StateSyncProperties.LeaderOnly settings) {
        builder.stopTimeout(settings.getStopTimeout()).suspendGrace(settings.getSuspendGrace());
        Duration takeover = settings.getTakeoverDelay();
        if (takeover != null) {
            builder.takeoverDelay(takeover);
        }
        return builder;
    }

    String name() {
        return name;
    }

    String path() {
        return path;
    }

    LeaderElection election() {
        return election;
    }

    /**
     * Joins the election, once until the next {@link #close()}; after a close (a lifecycle stop),
     * joins again through a new election: a recipe is started once, so each membership has its own.
     */
    void start() {
        LeaderElection toStart;
        synchronized (lock) {
            if (started) {
                return;
            }
            started = true;
            if (closed) {
                election = elections.get();
                closed = false;
            }
            toStart = election;
        }
        toStart.start();
    }

    /**
     * Runs the invocation on this thread if this node leads now; otherwise returns {@code false} at
     * once. While it runs, the end of the leadership interrupts it and waits for it.
     */
    boolean runIfLeader(Invocation invocation) {
        // Asked outside the gate's lock (the election has its own); a leadership ending after the
        // question still interrupts and waits for this run, as it is registered under the lock.
        if (!election.isLeader()) {
            return false;
        }
        Thread me = Thread.currentThread();
        Leadership leadership;
        synchronized (lock) {
            leadership = leading;
            if (leadership == null) {
                return false;
            }
            running.add(me);
        }
        try {
            invocation.run(leadership);
            return true;
        } finally {
            synchronized (lock) {
                running.remove(me);
                if (interrupted.remove(me)) {
                    // Our interrupt, not the scheduler's: do not leave it on the pool thread.
                    Thread.interrupted();
                }
                lock.notifyAll();
            }
        }
    }

    /** The election's task: open the gate, wait for the end of the leadership, close it. */
    private void lead(Leadership leadership) {
        synchronized (lock) {
            leading = leadership;
            try {
                while (true) {
                    lock.wait();
                }
            } catch (InterruptedException ended) {
                // Leadership ended (loss, hand-over, close): close the gate below.
            } finally {
                leading = null;
                boolean again = false;
                for (Thread t : running) {
                    if (interrupted.add(t)) {
                        t.interrupt();
                    }
                }
                while (!running.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        again = true;
                    }
                }
                if (again) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        LOG.debug("@LeaderOnly(\"{}\"): leadership {} ended; no method of it runs", name, leadership);
    }

    /**
     * Leaves the election: running methods are interrupted and waited for, then the hand-over. A
     * later {@link #start()} joins again.
     */
    @Override
    public void close() {
        LeaderElection toClose;
        synchronized (lock) {
            started = false;
            closed = true;
            toClose = election;
        }
        // outside the lock: the election's task (lead) needs it to wind down
        toClose.close();
    }
}
