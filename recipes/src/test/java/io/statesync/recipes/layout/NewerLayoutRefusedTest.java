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
package io.statesync.recipes.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.IncompatibleLayoutException;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.testing.TestNodes;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSourcedState;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.membership.GroupMembership;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.replication.ReplicatedState;
import io.statesync.recipes.state.SharedState;
import io.statesync.recipes.watch.StateTree;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every versioned format of statesync's znodes, written in a synthetic "format 2" (as a later
 * release would), is refused with {@link IncompatibleLayoutException} naming the path, the version
 * found and the highest version this release understands, and nothing is written: the namespace is
 * the same znode for znode, byte for byte, before and after.
 */
@Timeout(90)
class NewerLayoutRefusedTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<AutoCloseable> closeables = Collections.synchronizedList(new ArrayList<>());
    private Coordinator coordinator;
    private CuratorFramework client;

    @BeforeEach
    void connect() throws InterruptedException {
        coordinator = connectNew();
        client = coordinator.curatorFramework();
    }

    private Coordinator connectNew() throws InterruptedException {
        return later(TestNodes.open(zk, zk.connectString(), b -> b.operationTimeout(Duration.ofSeconds(10))));
    }

    private <T extends AutoCloseable> T later(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    @AfterEach
    void closeAll() throws Exception {
        List<AutoCloseable> all = new ArrayList<>(closeables);
        Collections.reverse(all);
        for (AutoCloseable c : all) {
            c.close();
        }
    }

    private String everything() throws Exception {
        ZooKeeper raw = client.getZookeeperClient().getZooKeeper();
        return LayoutFixture.dump(raw, zk.namespace()).text();
    }

    private void put(String path, String text) throws Exception {
        put(path, text.getBytes(StandardCharsets.UTF_8));
    }

    private void put(String path, byte[] data) throws Exception {
        if (client.checkExists().forPath(path) == null) {
            client.create().creatingParentsIfNeeded().forPath(path, data);
        } else {
            client.setData().forPath(path, data);
        }
    }

    /** The same data with the format byte of a packed record (its second byte) set to 2. */
    private void packFormat2(String path) throws Exception {
        byte[] data = client.getData().forPath(path);
        assertThat(data[0]).isEqualTo((byte) 'E');
        data[1] = 2;
        client.setData().forPath(path, data);
    }

    private static void assertRefused(Throwable e, String path) {
        assertThat(e).isInstanceOf(IncompatibleLayoutException.class);
        IncompatibleLayoutException refused = (IncompatibleLayoutException) e;
        assertThat(refused.path()).isEqualTo(path);
        assertThat(refused.found()).isEqualTo(2);
        assertThat(refused.supported()).isEqualTo(1);
        assertThat(refused.reason()).isEqualTo(StateSyncException.Reason.INCOMPATIBLE_LAYOUT);
        assertThat(refused.getMessage())
                .contains(path)
                .contains("format version 2")
                .contains("up to 1");
    }

    @Test
    void eventLogMetaInFormat2() throws Exception {
        put("/log/meta", "segmentSize=4\ngroupSize=2\nearliest=0\nformat=2\n");
        String before = everything();
        EventLog<String> log = later(EventLog.builder(coordinator, "/log", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .build());
        log.start();
        assertThatThrownBy(() -> log.append("e0")).satisfies(e -> assertRefused(e, "/log/meta"));
        assertThatThrownBy(() -> log.read(0, 10)).satisfies(e -> assertRefused(e, "/log/meta"));
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void packedEventInFormat2() throws Exception {
        EventLog<String> writer = later(EventLog.builder(coordinator, "/log", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .build());
        writer.start();
        writer.append("e0");
        writer.append("e1");
        packFormat2("/log/log/0/0/1");
        String before = everything();

        EventLog<String> log = later(EventLog.builder(connectNew(), "/log", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .build());
        log.start();
        assertThatThrownBy(() -> log.read(0, 10)).satisfies(e -> assertRefused(e, "/log/log/0/0/1"));
        assertThatThrownBy(() -> log.append("e2")).satisfies(e -> assertRefused(e, "/log/log/0/0/1"));
        EventSourcedState<String, String> state =
                later(EventSourcedState.builder(log, "", (s, e) -> s + e).build());
        state.start();
        await().atMost(WAIT).until(() -> state.failure().isPresent());
        assertRefused(state.failure().orElseThrow(), "/log/log/0/0/1");
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void snapshotManifestInFormat2() throws Exception {
        EventLog<String> log =
                later(EventLog.builder(coordinator, "/log", Codec.utf8()).build());
        log.start();
        log.appendAll(List.of("e0", "e1", "e2"));
        put("/log/snapshots/manifest", "position=1\ndirectory=1-x\nchunks=0\nsize=0\ncrc=0\nzxid=0\nformat=2\n");
        String before = everything();
        EventSourcedState<String, String> state = later(EventSourcedState.builder(log, "", (s, e) -> s + e)
                .snapshots(Codec.utf8(), 1)
                .build());
        state.start();
        await().atMost(WAIT).until(() -> state.failure().isPresent());
        assertRefused(state.failure().orElseThrow(), "/log/snapshots/manifest");
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void queueMetaInFormat2() throws Exception {
        put("/queue/meta", "segmentSize=4\ngroupSize=2\nformat=2\n");
        String before = everything();
        WorkQueue<String> queue = later(WorkQueue.builder(coordinator, "/queue", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .build());
        queue.start();
        assertThatThrownBy(() -> queue.offer("job")).satisfies(e -> assertRefused(e, "/queue/meta"));
        assertThatThrownBy(() -> queue.take(Duration.ofSeconds(1))).satisfies(e -> assertRefused(e, "/queue/meta"));
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void queueItemInFormat2IsNotDeadLettered() throws Exception {
        WorkQueue<String> writer = later(WorkQueue.builder(coordinator, "/queue", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .build());
        writer.start();
        writer.offer("job-0");
        packFormat2("/queue/items/0/0/0");
        String before = everything();

        WorkQueue<String> queue = later(WorkQueue.builder(connectNew(), "/queue", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .build());
        queue.start();
        assertThatThrownBy(() -> queue.take(Duration.ofSeconds(5)))
                .satisfies(e -> assertRefused(e, "/queue/items/0/0/0"));
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void deadLetterInFormat2() throws Exception {
        WorkQueue<String> queue = later(WorkQueue.builder(coordinator, "/queue", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .maxDeliveries(1)
                .build());
        queue.start();
        queue.offerAll(List.of("job-0", "job-1"));
        Claim<String> first = queue.take(WAIT).orElseThrow();
        first.nack();
        Claim<String> second = queue.take(WAIT).orElseThrow();
        second.ack();
        assertThat(queue.deadLetters(0, 10)).hasSize(1);
        packFormat2("/queue/dead/0/0/0");
        String before = everything();
        assertThatThrownBy(() -> queue.deadLetters(0, 10)).satisfies(e -> assertRefused(e, "/queue/dead/0/0/0"));
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void publishedReplicatedStateInFormat2() throws Exception {
        ReplicatedState<Long, Long> first = ReplicatedState.builder(
                        coordinator, "/replicated", Codec.longs(), Codec.longs(), 0L, (s, c) -> s + c)
                .build();
        first.start();
        first.submit(5L).get();
        first.close();
        byte[] published = client.getData().forPath("/replicated/state");
        assertThat(new String(published, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("RST1");
        published[3] = '2';
        client.setData().forPath("/replicated/state", published);

        ReplicatedState<Long, Long> counter = later(
                ReplicatedState.builder(connectNew(), "/replicated", Codec.longs(), Codec.longs(), 0L, (s, c) -> s + c)
                        .build());
        counter.start();
        await().atMost(WAIT).until(() -> counter.failure().isPresent());
        assertRefused(counter.failure().orElseThrow(), "/replicated/state");
        assertThat(client.getData().forPath("/replicated/state")).isEqualTo(published);
        assertThat(client.getChildren().forPath("/replicated/commands/log/0/0")).hasSize(1);

        // A follower does not write the published state: it reports it as undecodable, the newer
        // layout as the cause.
        List<StateSyncException> errors = new CopyOnWriteArrayList<>();
        ReplicatedState<Long, Long> follower = later(
                ReplicatedState.builder(connectNew(), "/replicated", Codec.longs(), Codec.longs(), 0L, (s, c) -> s + c)
                        .build());
        follower.addListener(new io.statesync.core.StateListener<>() {
            @Override
            public void onChange(io.statesync.core.StateChange<Long> change) {}

            @Override
            public void onError(StateSyncException e) {
                errors.add(e);
            }
        });
        follower.start();
        await().atMost(WAIT).until(() -> !errors.isEmpty());
        assertThat(errors.get(0)).isInstanceOf(io.statesync.core.DecodingException.class);
        assertRefused(errors.get(0).getCause(), "/replicated/state");
        assertThat(follower.isLeader()).isFalse();
        assertThat(client.getData().forPath("/replicated/state")).isEqualTo(published);
    }

    @Test
    void electionInFormat2() throws Exception {
        put("/election", "statesync-format=2\nleading:7");
        String before = everything();
        List<StateSyncException> errors = new CopyOnWriteArrayList<>();
        LeaderElection election =
                later(LeaderElection.builder(coordinator, "/election").build());
        election.addListener(new io.statesync.core.StateListener<>() {
            @Override
            public void onChange(io.statesync.core.StateChange<io.statesync.recipes.leader.Leadership> change) {}

            @Override
            public void onError(StateSyncException e) {
                errors.add(e);
            }
        });
        election.start();
        await().atMost(WAIT).until(() -> !errors.isEmpty());
        assertRefused(errors.get(0), "/election");
        assertThat(election.isLeader()).isFalse();
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void lockInFormat2() throws Exception {
        put("/locks/mutex", "statesync-format=2\n");
        String before = everything();
        DistributedLock lock =
                later(DistributedLock.builder(coordinator, "/locks/mutex").build());
        lock.start();
        assertThatThrownBy(() -> lock.acquire(Duration.ofSeconds(5))).satisfies(e -> assertRefused(e, "/locks/mutex"));
        assertThatThrownBy(lock::tryAcquire).satisfies(e -> assertRefused(e, "/locks/mutex"));
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void groupInFormat2() throws Exception {
        put("/members", "statesync-format=2\n");
        String before = everything();
        List<StateSyncException> errors = new CopyOnWriteArrayList<>();
        GroupMembership<String> group = later(GroupMembership.builder(coordinator, "/members", Codec.utf8())
                .memberId("node-a")
                .metadata("zone=eu-1")
                .build());
        group.addListener(new io.statesync.core.StateListener<>() {
            @Override
            public void onChange(
                    io.statesync.core.StateChange<io.statesync.recipes.membership.Member<String>> change) {}

            @Override
            public void onError(StateSyncException e) {
                errors.add(e);
            }
        });
        group.start();
        await().atMost(WAIT).until(() -> !errors.isEmpty());
        assertRefused(errors.get(0), "/members");
        assertThat(group.isRegistered()).isFalse();
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void markersInFormat2() throws Exception {
        put("/.statesync", "statesync-format=2\n");
        put("/state", "v0");
        put("/tree/alpha", "1");
        String before = everything();
        SharedState<String> state = later(
                SharedState.builder(coordinator, "/state", Codec.utf8(), "v0").build());
        state.start();
        assertThatThrownBy(() -> state.set("v1")).satisfies(e -> assertRefused(e, "/.statesync"));
        assertThatThrownBy(() -> state.update(v -> v + "!")).satisfies(e -> assertRefused(e, "/.statesync"));
        StateTree<String> tree =
                later(StateTree.builder(coordinator, "/tree", Codec.utf8()).build());
        tree.start();
        assertThat(tree.awaitInitialized(WAIT)).isTrue();
        assertThat(tree.get("alpha").map(v -> v.value())).isEqualTo(Optional.of("1"));
        // A compare-and-set of a key goes with the writer's marker: refused.
        Versioned<String> alpha = tree.read("alpha").orElseThrow();
        assertThatThrownBy(() -> tree.compareAndSet("alpha", alpha, "2"))
                .satisfies(e -> assertRefused(e, "/.statesync"));
        assertThat(everything()).isEqualTo(before);
    }
}
