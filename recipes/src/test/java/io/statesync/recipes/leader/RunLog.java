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
package io.statesync.recipes.leader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The checker for "never two running singleton tasks": every run of the task records its node, its
 * epoch and when it started and ended ({@link System#nanoTime()}, one JVM), and writes a fenced
 * resource on every tick that refuses writes from an epoch lower than the highest it has accepted.
 */
final class RunLog {
    record Run(String node, long epoch, long start, long end) {}

    private final List<Run> runs = new CopyOnWriteArrayList<>();
    private final AtomicInteger runningNow = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final Object resourceLock = new Object();
    private long highestEpoch;
    private int accepted;
    private final List<String> refused = new ArrayList<>();

    /** A task that writes the fenced resource every {@code tickMillis} until interrupted. */
    LeaderTask task(String node, long tickMillis) {
        return leadership -> {
            long start = System.nanoTime();
            maxRunning.accumulateAndGet(runningNow.incrementAndGet(), Math::max);
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    write(node, leadership.epoch());
                    TimeUnit.MILLISECONDS.sleep(tickMillis);
                }
            } finally {
                runningNow.decrementAndGet();
                runs.add(new Run(node, leadership.epoch(), start, System.nanoTime()));
            }
        };
    }

    private void write(String node, long epoch) {
        synchronized (resourceLock) {
            if (epoch < highestEpoch) {
                refused.add(node + "@" + Long.toHexString(epoch) + " after 0x" + Long.toHexString(highestEpoch));
                return;
            }
            highestEpoch = epoch;
            accepted++;
        }
    }

    List<Run> runs() {
        return List.copyOf(runs);
    }

    boolean running() {
        return runningNow.get() > 0;
    }

    long highestEpoch() {
        synchronized (resourceLock) {
            return highestEpoch;
        }
    }

    int accepted() {
        synchronized (resourceLock) {
            return accepted;
        }
    }

    long runsBy(String node) {
        return runs.stream().filter(r -> r.node().equals(node)).count();
    }

    /** Asserts that no two runs overlapped and the resource never saw a write from an older epoch. */
    void assertNeverTwoAtOnce() {
        assertThat(maxRunning.get()).as("tasks running at once").isLessThanOrEqualTo(1);
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingLong(Run::start));
        for (int i = 1; i < sorted.size(); i++) {
            Run previous = sorted.get(i - 1);
            Run next = sorted.get(i);
            assertThat(next.start())
                    .as("%s started %d us before %s ended", next, (previous.end() - next.start()) / 1000, previous)
                    .isGreaterThan(previous.end());
            assertThat(next.epoch()).as("epochs of successive runs").isGreaterThanOrEqualTo(previous.epoch());
        }
        synchronized (resourceLock) {
            assertThat(refused).as("writes from an older epoch").isEmpty();
        }
    }
}
