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
package io.statesync.demo;

import static io.statesync.demo.Tour.check;
import static io.statesync.demo.Tour.utf8;

import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.FencedResource;
import io.statesync.recipes.lock.LockHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Step 3: a lock holder frozen past its session; its fencing token makes its late writes bounce. */
final class FencedLockStep implements TourStep {
    @Override
    public String name() {
        return "fenced lock";
    }

    @Override
    public String title() {
        return "A lock whose fencing token makes a stale holder's write bounce";
    }

    @Override
    public String run(Tour tour) throws Exception {
        TourNode a = tour.nodes.get(0);
        TourNode b = tour.nodes.get(1);
        tour.console.say("  node-1 and node-2 share a DistributedLock on /locks/invoices. An invoice store outside"
                + " ZooKeeper (a FencedResource) refuses tokens lower than one it has seen; /invoices/last in"
                + " ZooKeeper is written only with lock-guarded writes (a multi that checks the holder's znode).");
        FencedResource<List<String>> store = new FencedResource<>(List.of());
        a.coordinator
                .curatorFramework()
                .create()
                .orSetData()
                .creatingParentContainersIfNeeded()
                .forPath("/invoices/last", new byte[0]);
        DistributedLock lockA =
                DistributedLock.builder(a.coordinator, "/locks/invoices").build();
        DistributedLock lockB =
                DistributedLock.builder(b.coordinator, "/locks/invoices").build();
        a.lock = lockA;
        b.lock = lockB;
        lockA.addLockLostListener((handle, reason) -> {
            tour.console.event(
                    "node-1 is told: its lock (token " + handle.token() + ") is lost: " + reason.getMessage());
            tour.changed();
        });
        lockA.start();
        lockB.start();

        LockHandle held = lockA.acquire(Tour.WAIT);
        tour.console.event("node-1 acquires the lock: fencing token " + held.token());
        check(append(store, held.token(), "INV-1 by node-1"), "the store refused node-1's first write");
        held.write(GuardedWrite.of().setData("/invoices/last", utf8("INV-1 by node-1"), -1));
        tour.console.event("node-1 writes INV-1 to the store and to /invoices/last (guarded): both accepted");

        tour.console.say("  node-1 now freezes (think of a long GC pause) while still holding the lock. Meanwhile the"
                + " ZooKeeper server ends its session, as it does for any client silent for longer than the session"
                + " timeout: the demo does this by expiring node-1's session on the server.");
        tour.expire(a);
        tour.console.event("the server expired node-1's session: its lock znode is gone");

        long tokenB;
        try (LockHandle next = lockB.acquire(Tour.WAIT)) {
            tokenB = next.token();
            tour.console.event("node-2 acquires the lock: fencing token " + tokenB + " (higher than node-1's "
                    + held.token() + ")");
            check(tokenB > held.token(), "node-2's token is not higher than node-1's");
            check(append(store, tokenB, "INV-2 by node-2"), "the store refused node-2's write");
            next.write(GuardedWrite.of().setData("/invoices/last", utf8("INV-2 by node-2"), -1));
            tour.console.event("node-2 writes INV-2 to the store and to /invoices/last (guarded): both accepted");

            tour.await("node-1 to hear that its session ended", () -> !held.isValid() && a.coordinator.isConnected());
            tour.console.say(
                    "  node-1 wakes up and, believing it still holds the lock, goes on writing with its old token."
                            + " (Its client has meanwhile reconnected with a new session and marked the handle lost, so the"
                            + " guarded write is refused before it is sent; a holder that had not heard yet would be refused"
                            + " by the server, whose check of the holder's lock znode fails.)");
            boolean stale = append(store, held.token(), "INV-3 by node-1 (stale)");
            check(!stale, "the store accepted node-1's stale write");
            tour.console.event("the store refuses node-1's write: token " + held.token() + " is lower than "
                    + store.highestToken() + ", which it has already seen");
            try {
                held.write(GuardedWrite.of().setData("/invoices/last", utf8("INV-3 by node-1 (stale)"), -1));
                throw new IllegalStateException("node-1's stale guarded write landed");
            } catch (LockLostException e) {
                tour.console.event("node-1's guarded write is refused: LockLostException (" + e.getMessage() + ")");
            }
        }
        String last = new String(
                b.coordinator.curatorFramework().getData().forPath("/invoices/last"), StandardCharsets.UTF_8);
        check(last.equals("INV-2 by node-2"), "/invoices/last holds " + last);
        check(store.read().equals(List.of("INV-1 by node-1", "INV-2 by node-2")), "the store holds " + store.read());
        tour.console.event("the store holds " + store.read() + "; /invoices/last holds \"" + last + "\"");
        held.close();
        return "stale holder node-1 (token " + held.token() + ") bounced: the store refused it and its guarded write"
                + " threw LockLostException; node-2 (token " + tokenB + ") kept the last word";
    }

    private static boolean append(FencedResource<List<String>> store, long token, String invoice) {
        return store.write(token, list -> {
            List<String> next = new ArrayList<>(list);
            next.add(invoice);
            return List.copyOf(next);
        });
    }
}
