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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guarantee 3: a node restarted mid-run catches up from the published state (the snapshot) and,
 * when it leads, applies the tail of commands behind it, although the history before it was
 * compacted away.
 */
@Timeout(60)
class FollowerRestartTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final Nodes3 nodes = new Nodes3(zk);

    @AfterEach
    void closeAll() throws Exception {
        nodes.close();
    }

    private static void submitAll(ReplicatedState<Long, Long> r, int count) throws Exception {
        List<CompletableFuture<Applied<Long>>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(r.submit(1L));
        }
        for (CompletableFuture<Applied<Long>> f : futures) {
            f.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRestartedFollowerCatchesUpFromTheSnapshotAndTheTail() throws Exception {
        Coordinator ca = nodes.coordinator();
        ReplicatedState<Long, Long> a =
                nodes.start(Nodes3.counter(ca, "/r", "a").retainCommands(20).build(), new Nodes3.Versions());
        await().atMost(Duration.ofSeconds(20)).until(a::isLeader);
        Coordinator cb = nodes.coordinator();
        Nodes3.Versions before = new Nodes3.Versions();
        ReplicatedState<Long, Long> b =
                nodes.start(Nodes3.counter(cb, "/r", "b").retainCommands(20).build(), before);
        submitAll(b, 150);

        // b goes down mid-run; the run goes on and the command history is compacted behind it.
        b.close();
        cb.close();
        submitAll(a, 150);
        assertThat(a.awaitVersion(300, Duration.ofSeconds(20))).isTrue();
        Coordinator observer = nodes.coordinator();
        EventLog<Long> commands = nodes.add(
                EventLog.builder(observer, "/r/commands", Codec.longs()).build());
        commands.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> commands.earliestPosition() >= 200);

        // The leader goes too; commands keep arriving (a tail no one has applied yet).
        a.close();
        for (int i = 0; i < 10; i++) {
            commands.appendAll(Collections.nCopies(10, 1L));
        }
        assertThat(commands.endPosition()).isEqualTo(400);

        // b restarts: its first view is the snapshot at 300, then it leads and applies the tail.
        Nodes3.Versions after = new Nodes3.Versions();
        ReplicatedState<Long, Long> b2 = nodes.start(
                Nodes3.counter(nodes.coordinator(), "/r", "b")
                        .retainCommands(20)
                        .build(),
                after);
        assertThat(b2.awaitVersion(400, Duration.ofSeconds(20))).isTrue();
        assertThat(b2.current().value()).isEqualTo(400L);
        assertThat(b2.isLeader()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> after.last() == 400);
        assertThat(after.changes.get(0).kind()).isEqualTo(ChangeKind.INITIAL);
        assertThat(after.versions().get(0)).isGreaterThanOrEqualTo(300);
        assertThat(after.versions()).isSorted().doesNotHaveDuplicates();
        assertThat(before.versions()).isSorted().doesNotHaveDuplicates();
        // It goes on as usual.
        assertThat(b2.submit(1L).get(20, TimeUnit.SECONDS).position()).isEqualTo(400);
    }
}
