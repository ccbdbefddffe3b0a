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

import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Lock workloads: uncontended acquire+release, and handoffs between clients. */
final class LockWorkloads {
    static final int CLIENTS = 4;

    private LockWorkloads() {}

    static List<Comparison> all() {
        return List.of(
                new Comparison(
                        "lock-uncontended",
                        "lock: uncontended acquire+release",
                        "acquire+release/s",
                        true,
                        "",
                        List.of(
                                Comparison.variant("statesync", LockWorkloads::uncontended),
                                Comparison.variant("Curator InterProcessMutex", References::curatorMutexUncontended))),
                new Comparison(
                        "lock-handoffs",
                        "lock: " + CLIENTS + " clients taking turns",
                        "handoffs/s",
                        true,
                        "",
                        List.of(
                                Comparison.variant("statesync", ctx -> handoffs(ctx, CLIENTS)),
                                Comparison.variant(
                                        "Curator InterProcessMutex",
                                        ctx -> References.curatorMutexHandoffs(ctx, CLIENTS)))));
    }

    private static DistributedLock lock(BenchContext ctx) throws InterruptedException {
        DistributedLock lock = ctx.closeAfter(
                DistributedLock.builder(ctx.coordinator(), "/lock").build());
        lock.start();
        return lock;
    }

    static Sample uncontended(BenchContext ctx) throws Exception {
        DistributedLock lock = lock(ctx);
        lock.acquire(Duration.ofSeconds(30)).close(); // creates the lock's parent outside the measurement
        return Loops.timed(ctx, () -> acquireRelease(lock)).sample("acquire+release/s", "acquire+release");
    }

    private static boolean acquireRelease(DistributedLock lock) throws InterruptedException {
        try (LockHandle handle = lock.acquire(Duration.ofSeconds(30))) {
            return handle.token() > 0;
        }
    }

    static Sample handoffs(BenchContext ctx, int clients) throws Exception {
        List<Loops.Op> callers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            DistributedLock lock = lock(ctx);
            callers.add(() -> acquireRelease(lock));
        }
        Loops.Measured m = Loops.parallel(ctx, callers);
        return new Sample().put("handoffs/s", m.perSecond()).put("requests/handoff", m.requestsPerOp());
    }
}
