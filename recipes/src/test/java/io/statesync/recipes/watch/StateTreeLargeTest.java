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
package io.statesync.recipes.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.Versioned;
import io.statesync.core.testing.HistoryChecker;
import io.statesync.core.testing.Recorder;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A tree of 10,000 keys loads, follows changes and re-reads after a session expiry. */
@Timeout(120)
class StateTreeLargeTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static Coordinator connect() throws InterruptedException {
        return TestNodes.open(zk, zk.connectString(), b -> b.sessionTimeout(Duration.ofSeconds(20)));
    }

    private static void fill(Coordinator writer, int keys) throws Exception {
        CuratorFramework curator = writer.curatorFramework();
        curator.createContainers("/big");
        List<CuratorOp> ops = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            ops.add(curator.transactionOp()
                    .create()
                    .forPath("/big/key-" + i, Integer.toString(i).getBytes(StandardCharsets.UTF_8)));
            if (ops.size() == 500 || i == keys - 1) {
                curator.transaction().forOperations(ops);
                ops.clear();
            }
        }
    }

    @Test
    void tenThousandKeys() throws Exception {
        keys(10_000);
    }

    @Test
    @Tag("slow")
    void fiftyThousandKeys() throws Exception {
        keys(50_000);
    }

    private void keys(int n) throws Exception {
        try (Coordinator writer = connect();
                Coordinator reader = connect()) {
            fill(writer, n);
            Recorder<Long> seen = new Recorder<>();
            try (StateTree<Long> tree =
                    StateTree.builder(reader, "/big", Codec.longs()).build()) {
                tree.addListener(seen);
                long start = System.nanoTime();
                tree.start();
                assertThat(tree.awaitInitialized(Duration.ofSeconds(60))).isTrue();
                Duration load = Duration.ofNanos(System.nanoTime() - start);
                assertThat(tree.size()).isEqualTo(n);
                assertThat(tree.get("key-" + (n - 1)).map(Versioned::value)).contains((long) n - 1);
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.changes.size() == n);
                assertThat(seen.kinds()).containsOnly(ChangeKind.INITIAL);

                // Changes to a few keys arrive as per-key updates.
                for (int i = 0; i < 100; i++) {
                    writer.curatorFramework()
                            .setData()
                            .forPath("/big/key-" + i, Long.toString(-i - 1).getBytes(StandardCharsets.UTF_8));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.changes.size() == n + 100);
                assertThat(tree.get("key-99").map(Versioned::value)).contains(-100L);

                // After a session expiry every key is re-read: nothing is announced for unchanged keys.
                io.statesync.testkit.Faults.expireSession(
                        reader.curatorFramework().getZookeeperClient().getZooKeeper(),
                        zk.connectString(),
                        Duration.ofSeconds(5));
                writer.curatorFramework().setData().forPath("/big/key-5000", "7".getBytes(StandardCharsets.UTF_8));
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> tree.get("key-5000").map(Versioned::value).equals(Optional.of(7L)));
                assertThat(seen.changes.size()).isEqualTo(n + 101);
                assertThat(seen.changes.get(n + 100).path()).isEqualTo("/big/key-5000");
                HistoryChecker.assertMonotonic(seen.changes);
                org.slf4j.LoggerFactory.getLogger(StateTreeLargeTest.class)
                        .info("{} keys loaded in {} ms", n, load.toMillis());
            }
        }
    }
}
