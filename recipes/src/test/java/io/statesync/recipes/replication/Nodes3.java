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
package io.statesync.recipes.replication;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.Faults;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Opens coordinators and replicated counters for a test, and closes them all (newest first). */
final class Nodes3 implements AutoCloseable {
    static final Duration SESSION = Duration.ofSeconds(10);

    private final ZooKeeperExtension zk;
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    Nodes3(ZooKeeperExtension zk) {
        this.zk = zk;
    }

    Coordinator coordinator() throws InterruptedException {
        return add(TestNodes.open(zk, zk.connectString(), b -> b.sessionTimeout(SESSION)));
    }

    <T extends AutoCloseable> T add(T closeable) {
        opened.push(closeable);
        return closeable;
    }

    /** A counter: the state is a sum, a command the amount to add; a negative amount is rejected. */
    static ReplicatedState.Builder<Long, Long> counter(Coordinator c, String path, String id) {
        return ReplicatedState.builder(c, path, Codec.longs(), Codec.longs(), 0L, (sum, amount) -> {
                    if (amount < 0) {
                        throw new IllegalArgumentException("negative amount " + amount);
                    }
                    return sum + amount;
                })
                .participantId(id);
    }

    ReplicatedState<Long, Long> start(ReplicatedState<Long, Long> r, Versions versions) {
        add(r);
        r.addListener(versions);
        r.start();
        return r;
    }

    void expire(Coordinator c) throws Exception {
        Faults.expireSession(
                c.curatorFramework().getZookeeperClient().getZooKeeper(), zk.connectString(), Duration.ofSeconds(10));
    }

    @Override
    public void close() throws Exception {
        while (!opened.isEmpty()) {
            opened.pop().close();
        }
    }

    /** Records the versions and values a listener is shown, and the errors. */
    static final class Versions implements StateListener<Long> {
        final List<StateChange<Long>> changes = new CopyOnWriteArrayList<>();
        final List<StateSyncException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onChange(StateChange<Long> change) {
            changes.add(change);
        }

        @Override
        public void onError(StateSyncException error) {
            errors.add(error);
        }

        List<Long> versions() {
            List<Long> out = new ArrayList<>();
            for (StateChange<Long> c : changes) {
                if (c.current().isPresent()) {
                    out.add(c.position());
                }
            }
            return out;
        }

        List<Long> values() {
            List<Long> out = new ArrayList<>();
            for (StateChange<Long> c : changes) {
                c.current().ifPresent(v -> out.add(v.value()));
            }
            return out;
        }

        long last() {
            List<Long> v = values();
            return v.isEmpty() ? -1 : v.get(v.size() - 1);
        }
    }
}
