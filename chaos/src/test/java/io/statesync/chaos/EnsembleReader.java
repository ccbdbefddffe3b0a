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

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjLongConsumer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/** A plain ZooKeeper client on the ensemble itself (not behind a partition), to read back what the workloads kept. */
final class EnsembleReader implements AutoCloseable {
    private final ZooKeeper zk;

    EnsembleReader(Ensemble ensemble) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        zk = new ZooKeeper(ensemble.connectString(), 30_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("no connection to the ensemble in 30 s");
        }
    }

    /** The name of the participant first in line under {@code election} (lowest sequence number). */
    String firstInLine(String election) throws InterruptedException, KeeperException {
        return zk.getChildren(election, false).stream()
                .min(Comparator.comparing(n -> n.substring(Math.max(0, n.length() - 10))))
                .orElseThrow();
    }

    /**
     * When {@code path} is deleted (this machine's monotonic clock, read as the watch fires), or 0 if
     * it does not exist now.
     */
    CompletableFuture<Long> deletion(String path) throws InterruptedException, KeeperException {
        CompletableFuture<Long> deleted = new CompletableFuture<>();
        Stat stat = zk.exists(path, e -> {
            if (e.getType() == Watcher.Event.EventType.NodeDeleted) {
                deleted.complete(System.nanoTime());
            }
        });
        if (stat == null) {
            deleted.complete(0L);
        }
        return deleted;
    }

    /** How many children {@code path} has now, 0 if it does not exist yet. */
    int children(String path) throws InterruptedException, KeeperException {
        try {
            return zk.getChildren(path, false).size();
        } catch (KeeperException.NoNodeException e) {
            return 0;
        }
    }

    /** Each child of {@code dir}, after a sync, with the zxid that created it. */
    void landed(String dir, ObjLongConsumer<String> each) throws Exception {
        CountDownLatch synced = new CountDownLatch(1);
        zk.sync(dir, (rc, path, ctx) -> synced.countDown(), null);
        assertThat(synced.await(30, TimeUnit.SECONDS)).as("sync of " + dir).isTrue();
        for (String name : zk.getChildren(dir, false)) {
            Stat stat = new Stat();
            zk.getData(dir + "/" + name, false, stat);
            each.accept(name, stat.getCzxid());
        }
    }

    @Override
    public void close() {
        try {
            zk.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every singleton guarded write that landed under {@code /namespace/writes}, with its epoch and czxid. */
    static List<SingletonHistory.Landed> singletonWrites(Ensemble ensemble, String namespace) throws Exception {
        try (EnsembleReader reader = new EnsembleReader(ensemble)) {
            List<SingletonHistory.Landed> out = new ArrayList<>();
            reader.landed("/" + namespace + "/writes", (name, czxid) -> {
                long epoch = Long.parseLong(name.substring(0, name.indexOf('-')));
                out.add(new SingletonHistory.Landed(name, epoch, czxid));
            });
            return out;
        }
    }

    /** Every lock-guarded write that landed under {@code /namespace/writes}, with its token and czxid. */
    static List<LockHistory.Landed> lockWrites(Ensemble ensemble, String namespace) throws Exception {
        try (EnsembleReader reader = new EnsembleReader(ensemble)) {
            List<LockHistory.Landed> out = new ArrayList<>();
            reader.landed(
                    "/" + namespace + "/writes",
                    (name, czxid) -> out.add(new LockHistory.Landed(name, LockHistory.tokenOf(name), czxid)));
            return out;
        }
    }
}
