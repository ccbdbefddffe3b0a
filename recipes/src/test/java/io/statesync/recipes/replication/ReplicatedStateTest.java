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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.testing.TestNodes;
import io.statesync.recipes.eventlog.UndecodablePolicy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Submitting, applying, rejecting, undecodable commands and build() validation, on a real server. */
@Timeout(60)
class ReplicatedStateTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private final Nodes3 nodes = new Nodes3(zk);

    @AfterEach
    void closeAll() throws Exception {
        nodes.close();
    }

    private static Throwable cause(CompletableFuture<?> f) {
        try {
            f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return java.util.Objects.requireNonNull(e.getCause());
        } catch (Exception e) {
            throw new AssertionError("future did not fail: " + e, e);
        }
        throw new AssertionError("future completed normally: " + f.join());
    }

    @Test
    void commandsFromEveryNodeAreAppliedOnceAndEveryNodeFollows() throws Exception {
        Nodes3.Versions va = new Nodes3.Versions();
        Nodes3.Versions vb = new Nodes3.Versions();
        ReplicatedState<Long, Long> a =
                nodes.start(Nodes3.counter(nodes.coordinator(), "/r", "a").build(), va);
        ReplicatedState<Long, Long> b =
                nodes.start(Nodes3.counter(nodes.coordinator(), "/r", "b").build(), vb);
        List<CompletableFuture<Applied<Long>>> futures = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            futures.add((i % 2 == 0 ? a : b).submit((long) i));
        }
        List<Long> positions = new ArrayList<>();
        List<Applied<Long>> applieds = new ArrayList<>();
        for (CompletableFuture<Applied<Long>> f : futures) {
            Applied<Long> applied = f.get(20, TimeUnit.SECONDS);
            applieds.add(applied);
            positions.add(applied.position());
            assertThat(applied.version()).isEqualTo(applied.position() + 1);
        }
        assertThat(positions).doesNotHaveDuplicates().allMatch(p -> p >= 0 && p < 20);
        assertThat(a.awaitVersion(20, Duration.ofSeconds(20))).isTrue();
        assertThat(b.awaitVersion(20, Duration.ofSeconds(20))).isTrue();
        assertThat(a.current().value()).isEqualTo(210L);
        assertThat(b.current().value()).isEqualTo(210L);
        assertThat(a.version()).isEqualTo(20);
        await().atMost(Duration.ofSeconds(20)).until(() -> va.last() == 210L && vb.last() == 210L);
        for (Nodes3.Versions v : List.of(va, vb)) {
            assertThat(v.changes.get(0).kind()).isEqualTo(ChangeKind.INITIAL);
            assertThat(v.versions()).isSorted().doesNotHaveDuplicates();
        }
        // Each future's state is one its node's listener saw, and that change's version covers the command.
        for (int i = 0; i < applieds.size(); i++) {
            Applied<Long> applied = applieds.get(i);
            Nodes3.Versions seen = (i + 1) % 2 == 0 ? va : vb;
            assertThat(seen.changes)
                    .filteredOn(c -> c.current().equals(Optional.of(applied.state())))
                    .singleElement()
                    .satisfies(c -> assertThat(c.position()).isGreaterThanOrEqualTo(applied.version()));
        }
        assertThat(a.isLeader() ^ b.isLeader()).isTrue();
        // A listener added later gets an INITIAL with the state as it is.
        Nodes3.Versions late = new Nodes3.Versions();
        b.addListener(late);
        await().atMost(Duration.ofSeconds(10)).until(() -> !late.changes.isEmpty());
        assertThat(late.changes.get(0).kind()).isEqualTo(ChangeKind.INITIAL);
        assertThat(late.changes.get(0).current().get().value()).isEqualTo(210L);
    }

    @Test
    void aRejectedCommandFailsOnlyItsOwnFutureOnEveryNode() throws Exception {
        Nodes3.Versions va = new Nodes3.Versions();
        ReplicatedState<Long, Long> a =
                nodes.start(Nodes3.counter(nodes.coordinator(), "/r", "a").build(), va);
        assertThat(awaitLeader(a)).isTrue();
        // b never leads while a does: the rejection reaches it through the published state.
        ReplicatedState<Long, Long> b =
                nodes.start(Nodes3.counter(nodes.coordinator(), "/r", "b").build(), new Nodes3.Versions());
        CompletableFuture<Applied<Long>> before = b.submit(5L);
        CompletableFuture<Applied<Long>> bad = b.submit(-1L);
        CompletableFuture<Applied<Long>> after = b.submit(7L);
        assertThat(before.get(20, TimeUnit.SECONDS).position()).isEqualTo(0);
        Throwable rejected = cause(bad);
        assertThat(rejected).isInstanceOf(CommandRejectedException.class);
        CommandRejectedException r = (CommandRejectedException) rejected;
        assertThat(r.position()).isEqualTo(1);
        assertThat(r.why()).contains("negative amount -1");
        assertThat(after.get(20, TimeUnit.SECONDS).position()).isEqualTo(2);
        assertThat(b.awaitVersion(3, Duration.ofSeconds(20))).isTrue();
        assertThat(b.current().value()).isEqualTo(12L);
        assertThat(b.version()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(20)).until(() -> va.last() == 12L);
        assertThat(va.values()).doesNotContain(4L); // the rejected command never changed the state
    }

    private static boolean awaitLeader(ReplicatedState<?, ?> r) {
        await().atMost(Duration.ofSeconds(20)).until(r::isLeader);
        return true;
    }

    /** A codec that cannot decode the text "poison" (as a node with an older codec might). */
    private static final Codec<String> STRICT = new Codec<>() {
        @Override
        public byte[] encode(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] data) {
            String s = new String(data, StandardCharsets.UTF_8);
            if (s.equals("poison")) {
                throw new IllegalArgumentException("unknown command poison");
            }
            return s;
        }
    };

    private ReplicatedState<String, String> log(Coordinator c, String id, UndecodablePolicy policy) {
        return nodes.add(
                ReplicatedState.builder(c, "/text", Codec.utf8(), STRICT, "", (text, command) -> text + command + ";")
                        .participantId(id)
                        .onUndecodable(policy)
                        .build());
    }

    @Test
    void anUndecodableCommandIsReportedAndSkippedAndFailsItsOwnFuture() throws Exception {
        ReplicatedState<String, String> leader = log(nodes.coordinator(), "leader", UndecodablePolicy.SKIP);
        List<StateSyncException> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        leader.addListener(new io.statesync.core.StateListener<String>() {
            @Override
            public void onChange(io.statesync.core.StateChange<String> change) {}

            @Override
            public void onError(StateSyncException error) {
                errors.add(error);
            }
        });
        leader.start();
        awaitLeader(leader);
        ReplicatedState<String, String> other = log(nodes.coordinator(), "other", UndecodablePolicy.SKIP);
        other.start();
        CompletableFuture<Applied<String>> one = other.submit("one");
        CompletableFuture<Applied<String>> poison = other.submit("poison");
        CompletableFuture<Applied<String>> two = other.submit("two");
        one.get(20, TimeUnit.SECONDS);
        Throwable failed = cause(poison);
        assertThat(failed).isInstanceOf(CommandRejectedException.class);
        assertThat(((CommandRejectedException) failed).why()).contains("does not decode");
        two.get(20, TimeUnit.SECONDS);
        assertThat(other.awaitVersion(3, Duration.ofSeconds(20))).isTrue();
        assertThat(other.current().value()).isEqualTo("one;two;");
        await().atMost(Duration.ofSeconds(10)).until(() -> !errors.isEmpty());
        assertThat(errors.get(0)).isInstanceOf(CommandRejectedException.class);
        assertThat(((CommandRejectedException) errors.get(0)).position()).isEqualTo(1);
        assertThat(leader.failure()).isEmpty();
    }

    @Test
    void underStopTheLeaderPublishesWhatCameBeforeAnUndecodableCommandAndStops() throws Exception {
        ReplicatedState<String, String> leader = log(nodes.coordinator(), "leader", UndecodablePolicy.STOP);
        leader.start();
        awaitLeader(leader);
        CompletableFuture<Applied<String>> one = leader.submit("one");
        one.get(20, TimeUnit.SECONDS);
        CompletableFuture<Applied<String>> poison = leader.submit("poison");
        await().atMost(Duration.ofSeconds(20)).until(() -> leader.failure().isPresent());
        assertThat(leader.failure().get()).isInstanceOf(CommandRejectedException.class);
        assertThat(leader.current().value()).isEqualTo("one;");
        assertThat(poison).isNotDone();
        leader.close();
        assertThat(cause(poison)).isInstanceOf(StateSyncException.class);
        assertThat(((StateSyncException) cause(poison)).reason()).isEqualTo(StateSyncException.Reason.CLOSED);
    }

    @Test
    void aCommandNotAppliedInTimeFailsWithATimeout() throws Exception {
        // No node leads this state: its only participant's election is held by a node that never applies.
        Coordinator c = nodes.coordinator();
        ReplicatedState<Long, Long> r = nodes.add(Nodes3.counter(c, "/slow", "x")
                .commandTimeout(Duration.ofMillis(300))
                .onUndecodable(UndecodablePolicy.STOP)
                .build());
        // Hold the leadership elsewhere so that nothing is applied.
        io.statesync.recipes.leader.LeaderElection holder =
                nodes.add(io.statesync.recipes.leader.LeaderElection.builder(nodes.coordinator(), "/slow/leader")
                        .participantId("holder")
                        .build());
        holder.start();
        assertThat(holder.awaitLeadership(Duration.ofSeconds(20))).isTrue();
        r.start();
        Throwable timedOut = cause(r.submit(1L));
        assertThat(timedOut).isInstanceOf(OperationTimeoutException.class).hasMessageContaining("may still be applied");
        assertThat(r.isLeader()).isFalse();
    }

    @Test
    void badInputAtSubmitFailsBeforeAnythingIsSent() throws Exception {
        Coordinator c = nodes.add(TestNodes.open(zk, zk.connectString(), b -> b.maxValueBytes(2_000)));
        ReplicatedState<String, String> r =
                nodes.add(ReplicatedState.builder(c, "/big", Codec.utf8(), Codec.utf8(), "", (s, cmd) -> s + cmd)
                        .build());
        assertThatThrownBy(() -> r.submit("x")).isInstanceOf(IllegalStateException.class);
        r.start();
        assertThatThrownBy(() -> r.submit("x".repeat(5_000)))
                .isInstanceOf(ValueTooLargeException.class)
                .hasMessageContaining("/big/commands");
        // A command that fits but would make the state too large is rejected; the state stays.
        CompletableFuture<Applied<String>> big = r.submit("y".repeat(1_400));
        assertThat(big.get(20, TimeUnit.SECONDS).position()).isEqualTo(0);
        Throwable tooBig = cause(r.submit("z".repeat(700)));
        assertThat(tooBig).isInstanceOf(CommandRejectedException.class);
        assertThat(((CommandRejectedException) tooBig).why()).contains("over the coordinator's limit of 2000");
        assertThat(r.awaitVersion(2, Duration.ofSeconds(20))).isTrue();
        assertThat(r.current().value()).isEqualTo("y".repeat(1_400));
        r.close();
        assertThatThrownBy(() -> r.submit("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anUndecodablePublishedStateIsReportedAndTheLastGoodStateKept() throws Exception {
        Nodes3.Versions va = new Nodes3.Versions();
        ReplicatedState<Long, Long> a =
                nodes.start(Nodes3.counter(nodes.coordinator(), "/r", "a").build(), va);
        assertThat(a.submit(4L).get(20, TimeUnit.SECONDS).position()).isEqualTo(0);
        assertThat(a.awaitVersion(1, Duration.ofSeconds(20))).isTrue();
        Coordinator vandal = nodes.coordinator();
        io.statesync.core.internal.Nodes.write(vandal, "/r/state", "garbage".getBytes(StandardCharsets.UTF_8), -1);
        await().atMost(Duration.ofSeconds(20)).until(() -> !va.errors.isEmpty());
        assertThat(va.errors.get(0)).isInstanceOf(io.statesync.core.DecodingException.class);
        assertThat(va.errors.get(0).path()).isEqualTo("/r/state");
        assertThat(a.current().value()).isEqualTo(4L);
        assertThat(va.values()).endsWith(4L).allMatch(v -> v == 0L || v == 4L);
    }

    @Test
    void buildValidatesPathAndOptions() throws Exception {
        Coordinator c = nodes.coordinator();
        assertThatThrownBy(() -> Nodes3.counter(c, "no-slash", "a").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-slash");
        assertThatThrownBy(() -> Nodes3.counter(c, "/", "a").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"/\"");
        assertThatThrownBy(() -> Nodes3.counter(c, "/r", "a").maxBatch(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBatch")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> Nodes3.counter(c, "/r", "a")
                        .commandTimeout(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("commandTimeout");
        assertThatThrownBy(() -> Nodes3.counter(c, "/r", "a").retainCommands(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retainCommands");
        assertThatThrownBy(
                        () -> Nodes3.counter(c, "/r", "a").rejectionRetention(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rejectionRetention");
        assertThatThrownBy(() -> Nodes3.counter(c, "/r", "a")
                        .takeoverDelay(Duration.ofSeconds(-1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takeoverDelay");
        assertThatThrownBy(() -> Nodes3.counter(c, "/r", "").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("participantId");
        assertThatThrownBy(() -> Nodes3.counter(c, "/r", "a").maxBatch(2).maxBatch(3))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxBatch");
        Coordinator small = Coordinator.builder(zk.connectString())
                .namespace(zk.namespace())
                .maxValueBytes(1_000)
                .build();
        nodes.add(small);
        assertThatThrownBy(() -> ReplicatedState.builder(
                                small, "/r", Codec.utf8(), Codec.utf8(), "x".repeat(2_000), (s, cmd) -> s)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("initial state")
                .hasMessageContaining("1000");
    }
}
