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
package io.statesync.chaos;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Faults done to the ensemble's server processes, each followed by a wait until the workload makes
 * progress again. {@code progress} counts what the workload's clients completed so far (operations
 * answered, writes acknowledged); each fault returns a line with what it measured.
 */
final class ServerFaults {
    /** Operations a workload must complete to count as progressing. */
    private static final int PROGRESS = 20;

    private ServerFaults() {}

    /**
     * The three faults in turn, {@code rounds} times: a follower frozen for {@code down}, quorum lost
     * for {@code down}, a rolling restart; each followed by a wait until the workload progresses.
     *
     * @return what each fault measured, in the order they were done
     * @throws Exception if a server cannot be signalled, stopped or restarted, or does not serve again
     */
    static List<String> eachRound(Ensemble ensemble, int rounds, Duration down, LongSupplier progress)
            throws Exception {
        List<String> measured = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            measured.add(frozenFollower(ensemble, down, progress));
            measured.add(quorumLoss(ensemble, down, progress));
            measured.add(rollingRestart(ensemble, progress));
        }
        return measured;
    }

    /**
     * A follower server frozen (SIGSTOP) for {@code frozen}, the workload going on meanwhile, then
     * resumed (SIGCONT).
     *
     * @return what was measured: operations completed while it was frozen
     * @throws Exception if a server cannot be signalled or does not serve again
     */
    static String frozenFollower(Ensemble ensemble, Duration frozen, LongSupplier progress) throws Exception {
        int follower = ensemble.follower();
        long before = progress.getAsLong();
        long until = System.nanoTime() + frozen.toNanos();
        System.out.println("FROZEN " + ensemble.connectString(follower) + " " + System.nanoTime());
        ensemble.pause(follower);
        try {
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> System.nanoTime() > until && progress.getAsLong() > before + PROGRESS);
        } finally {
            ensemble.resume(follower);
        }
        long during = progress.getAsLong() - before;
        awaitProgress(progress);
        return String.format(
                Locale.ROOT,
                "follower frozen %.1f s: %d operations completed meanwhile",
                frozen.toMillis() / 1e3,
                during);
    }

    /**
     * Quorum lost: the leader server and one follower killed (SIGKILL) and kept down for {@code down},
     * then both restarted.
     *
     * @return what was measured: how long after both servers served again the workload progressed
     * @throws Exception if a server cannot be restarted
     */
    static String quorumLoss(Ensemble ensemble, Duration down, LongSupplier progress) throws Exception {
        int leader = ensemble.leader();
        int follower = ensemble.follower();
        long until = System.nanoTime() + down.toNanos();
        ensemble.kill(leader);
        ensemble.kill(follower);
        long stalled = progress.getAsLong();
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> System.nanoTime() > until);
        long during = progress.getAsLong() - stalled;
        long restartAt = System.nanoTime();
        ensemble.restart(leader);
        ensemble.restart(follower);
        long serving = System.nanoTime();
        long after = awaitProgress(progress);
        return String.format(
                Locale.ROOT,
                "quorum lost %.1f s (%d operations completed meanwhile); servers restarted in %.1f s; first"
                        + " operation %.0f ms after they served",
                down.toMillis() / 1e3,
                during,
                (serving - restartAt) / 1e9,
                (after - serving) / 1e6);
    }

    /**
     * A rolling restart: each server in turn stopped (SIGTERM), restarted on its data, and serving
     * before the next; the workload progressing after each.
     *
     * @return what was measured: the longest wait for progress after a server served again
     * @throws Exception if a server cannot be stopped or restarted
     */
    static String rollingRestart(Ensemble ensemble, LongSupplier progress) throws Exception {
        long longest = 0;
        for (int i = 0; i < ensemble.size(); i++) {
            ensemble.stop(i);
            ensemble.restart(i);
            long serving = System.nanoTime();
            longest = Math.max(longest, awaitProgress(progress) - serving);
        }
        return String.format(
                Locale.ROOT,
                "rolling restart of %d servers: first operation at most %.0f ms after a restarted server served",
                ensemble.size(),
                longest / 1e6);
    }

    /** Waits until {@code progress} moves on; when it had. */
    private static long awaitProgress(LongSupplier progress) {
        long before = progress.getAsLong();
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> progress.getAsLong() > before);
        long at = System.nanoTime();
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> progress.getAsLong() > before + PROGRESS);
        return at;
    }
}
