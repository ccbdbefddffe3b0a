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
package io.statesync.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import io.statesync.recipes.replication.Applied;
import io.statesync.recipes.replication.CommandRejectedException;
import io.statesync.recipes.replication.ReplicatedState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ReplicatedState} on a Kafka command log: the commands in a topic, the published state, the
 * election and its fencing in ZooKeeper. A real KRaft broker and a real ZooKeeper server.
 */
@Timeout(180)
class KafkaReplicatedStateTest extends KafkaTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger STATES = new AtomicInteger();

    /** One node: its coordinator, its instance of the Kafka command log, its replicated state. */
    private record Node(Coordinator coordinator, KafkaEventLog<byte[]> commands, ReplicatedState<String, String> state)
            implements AutoCloseable {
        @Override
        public void close() {
            state.close();
            commands.close();
        }
    }

    /** Appends the command to the list; a command starting with "bad" is rejected. */
    private static String apply(String state, String command) {
        if (command.startsWith("bad")) {
            throw new IllegalArgumentException("refused " + command);
        }
        return state.isEmpty() ? command : state + "," + command;
    }

    private static String freshPath() {
        return "/replicated-" + STATES.incrementAndGet();
    }

    private Node node(String path, String id, UnaryOperator<ReplicatedState.Builder<String, String>> options)
            throws InterruptedException {
        Coordinator c = node();
        KafkaEventLog<byte[]> commands =
                kafkaLog(c, path + "/commands", Codec.bytes()).build();
        commands.log().start();
        ReplicatedState<String, String> state = options.apply(ReplicatedState.builder(
                                c, path, Codec.utf8(), Codec.utf8(), "", KafkaReplicatedStateTest::apply)
                        .participantId(id)
                        .commandLog(commands.log()))
                .build();
        Node node = nodes.closeLater(new Node(c, commands, state));
        state.start();
        return node;
    }

    private Node node(String path, String id) throws InterruptedException {
        return node(path, id, b -> b);
    }

    /**
     * Waits for every future, each of which completes once: applied for a good command, rejected for
     * a "bad" one. Returns the applied commands by position.
     */
    private static Map<Long, String> outcomes(Map<String, CompletableFuture<Applied<String>>> submitted)
            throws Exception {
        Map<Long, String> applied = new java.util.TreeMap<>();
        for (Map.Entry<String, CompletableFuture<Applied<String>>> e : submitted.entrySet()) {
            String command = e.getKey();
            if (command.startsWith("bad")) {
                try {
                    e.getValue().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    throw new AssertionError(command + " was applied");
                } catch (ExecutionException rejected) {
                    assertThat(rejected.getCause()).isInstanceOf(CommandRejectedException.class);
                }
            } else {
                Applied<String> a = e.getValue().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(applied.put(a.position(), command))
                        .as("two commands at position %d", a.position())
                        .isNull();
                assertThat(Arrays.asList(a.state().value().split(",")))
                        .as("the state covering %s", command)
                        .contains(command);
            }
        }
        return applied;
    }

    /** Every node shows the same version and the state of the applied commands in position order. */
    private static void converged(Map<Long, String> applied, Node... nodes) {
        String expected = String.join(",", applied.values());
        await().atMost(WAIT).untilAsserted(() -> {
            for (Node n : nodes) {
                assertThat(n.state().current().value()).as("state on %s", n).isEqualTo(expected);
                assertThat(n.state().version()).isEqualTo(nodes[0].state().version());
            }
        });
        long last = Collections.max(applied.keySet()) + 1;
        for (Node n : nodes) {
            assertThat(n.state().version()).isGreaterThanOrEqualTo(last);
        }
    }

    private static Map<String, CompletableFuture<Applied<String>>> submit(String prefix, int each, Node... from) {
        Map<String, CompletableFuture<Applied<String>>> submitted = new LinkedHashMap<>();
        for (int i = 0; i < each; i++) {
            for (int n = 0; n < from.length; n++) {
                String command = (i % 7 == 3 ? "bad-" : "") + prefix + n + "-" + i;
                submitted.put(command, from[n].state().submit(command));
            }
        }
        return submitted;
    }

    @Test
    void commandsFromEveryNodeAreAppliedOnceInOrderAndALateNodeCatchesUp() throws Exception {
        String path = freshPath();
        Node a = node(path, "a");
        Node b = node(path, "b");
        Node c = node(path, "c");

        Map<String, CompletableFuture<Applied<String>>> submitted = submit("c", 20, a, b, c);
        Map<Long, String> applied = outcomes(submitted);
        assertThat(applied)
                .hasSize(submitted.size()
                        - (int) submitted.keySet().stream()
                                .filter(s -> s.startsWith("bad"))
                                .count());
        converged(applied, a, b, c);
        assertThat(List.of(a, b, c).stream().filter(n -> n.state().isLeader())).hasSize(1);

        // A node started late takes the published state; it does not replay the commands.
        Node late = node(path, "late");
        assertThat(late.state().awaitVersion(a.state().version(), WAIT)).isTrue();
        converged(applied, a, b, c, late);
        assertThat(late.state().isLeader()).isFalse();
        // The commands stay in the topic: no retainCommands, no compaction of a given log.
        assertThat(a.commands().log().earliestPosition()).isZero();
    }

    @Test
    void aLeaderChangeKeepsApplyingEveryCommandOnceAndCompactionDeletesTheTopicsOldRecords() throws Exception {
        String path = freshPath();
        UnaryOperator<ReplicatedState.Builder<String, String>> compacting = o -> o.retainCommands(5);
        Node a = node(path, "a", compacting);
        Node b = node(path, "b", compacting);
        Node c = node(path, "c", compacting);
        List<Node> nodes = List.of(a, b, c);

        Map<String, CompletableFuture<Applied<String>>> submitted = submit("x", 25, a, b, c);
        outcomes(submitted);
        await().atMost(WAIT)
                .until(() -> nodes.stream().filter(n -> n.state().isLeader()).count() == 1);
        Node leader =
                nodes.stream().filter(n -> n.state().isLeader()).findFirst().orElseThrow();
        Node[] survivors = nodes.stream().filter(n -> n != leader).toList().toArray(new Node[0]);

        // Commands in flight while the leader goes: the next leader applies each once.
        Map<String, CompletableFuture<Applied<String>>> more = submit("y", 25, survivors);
        leader.close();
        submitted.putAll(more);
        submitted.putAll(submit("z", 5, survivors));
        Map<Long, String> applied = outcomes(submitted);
        converged(applied, survivors);
        await().atMost(WAIT)
                .until(() -> Arrays.stream(survivors).anyMatch(n -> n.state().isLeader()));

        // The leader compacted the command log: the topic's records before the retention point are
        // deleted (deleteRecords), and the state needs none of them.
        long version = survivors[0].state().version();
        assertThat(version).isGreaterThan(105);
        await().atMost(WAIT).until(() -> survivors[0].commands().log().earliestPosition() >= 100);
        Node late = node(path, "late", compacting);
        assertThat(late.state().awaitVersion(version, WAIT)).isTrue();
        assertThat(late.state().current().value())
                .isEqualTo(survivors[0].state().current().value());
    }

    @Test
    void aCommandWrittenTwiceIsAppliedOnceAndTheVersionPassesTheSecondCopy() throws Exception {
        String path = freshPath();
        Node a = node(path, "a");
        Node b = node(path, "b");
        assertThat(a.state()
                        .submit("first")
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                        .version())
                .isEqualTo(1);

        // The same append sent twice (as after a lost acknowledgement): two records, one command.
        byte[] twice = "twice".getBytes(StandardCharsets.UTF_8);
        long p1 = a.commands().appendOnce("outbox", 7, List.of(twice), WAIT);
        long p2 = b.commands().appendOnce("outbox", 7, List.of(twice), WAIT);
        assertThat(p2).isGreaterThan(p1);
        // The copy is the last record: the leader publishes past it all the same.
        for (Node n : List.of(a, b)) {
            assertThat(n.state().awaitVersion(p2 + 1, WAIT)).isTrue();
            assertThat(n.state().current().value()).isEqualTo("first,twice");
        }

        // Another copy, this time between commands; then commands from both nodes.
        long p3 = a.commands().appendOnce("outbox", 7, List.of(twice), WAIT);
        Applied<String> last = b.state().submit("last").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(last.position()).isGreaterThan(p3);
        assertThat(a.state()
                        .submit("after")
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                        .position())
                .isGreaterThan(last.position());
        for (Node n : List.of(a, b)) {
            await().atMost(WAIT).until(() -> n.state().current().value().equals("first,twice,last,after"));
        }
        assertThat(Arrays.stream(a.state().current().value().split(",")).collect(Collectors.toList()))
                .doesNotHaveDuplicates();
    }

    @Test
    @SuppressWarnings("NullAway") // passes null to see it refused
    void theCommandLogIsTheCallersToStartAndClose() throws Exception {
        String path = freshPath();
        Node a = node(path, "a");
        assertThatThrownBy(() -> ReplicatedState.builder(
                                a.coordinator(), path, Codec.utf8(), Codec.utf8(), "", KafkaReplicatedStateTest::apply)
                        .commandLog(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("commandLog");
        ReplicatedState.Builder<String, String> builder = ReplicatedState.builder(
                a.coordinator(), path, Codec.utf8(), Codec.utf8(), "", KafkaReplicatedStateTest::apply);
        builder.commandLog(a.commands().log());
        assertThatThrownBy(() -> builder.commandLog(a.commands().log()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("commandLog");

        // A log not started is refused at start.
        KafkaEventLog<byte[]> latent = KafkaEventLog.builder(a.coordinator(), path + "/commands", Codec.bytes())
                .bootstrapServers(kafka.bootstrapServers())
                .build();
        nodes.closeLater(latent);
        ReplicatedState<String, String> refused = ReplicatedState.builder(
                        a.coordinator(), path, Codec.utf8(), Codec.utf8(), "", KafkaReplicatedStateTest::apply)
                .commandLog(latent.log())
                .build();
        nodes.closeLater(refused);
        assertThatThrownBy(refused::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("commandLog")
                .hasMessageContaining("LATENT");

        // Closing the replicated state leaves the log to its owner.
        assertThat(a.state()
                        .submit("one")
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                        .version())
                .isEqualTo(1);
        a.state().close();
        assertThat(a.commands().log().state()).isEqualTo(LifecycleState.STARTED);
        assertThat(a.commands().log().read(0, 10)).hasSize(1);
    }
}
