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
package io.statesync.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.statesync.core.AclMode;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSourcedState;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.DistributedReadWriteLock;
import io.statesync.recipes.lock.DistributedSemaphore;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.recipes.membership.GroupMembership;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.replication.ReplicatedState;
import io.statesync.recipes.state.SharedState;
import io.statesync.recipes.watch.StateTree;
import io.statesync.testkit.Faults;
import io.statesync.testkit.JvmProcess;
import io.statesync.testkit.TcpProxy;
import io.statesync.testkit.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every command against a real server, for every recipe kind; each read command is checked to
 * leave every znode as it was (versions, child versions, mzxids).
 */
@Timeout(60)
class CliTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private static final Duration WAIT = Duration.ofSeconds(30);

    private CliTestSupport cli;
    private final ExecutorService background = Executors.newCachedThreadPool();

    @BeforeEach
    void setUp() throws Exception {
        cli = new CliTestSupport(zk);
    }

    @AfterEach
    void tearDown() throws Exception {
        background.shutdownNow();
        cli.close();
    }

    private static String hex(long session) {
        return "0x" + Long.toHexString(session);
    }

    private JsonNode inspect(String path) throws Exception {
        CliTestSupport.Result r = cli.runReadOnly("inspect", path, "--json");
        assertThat(r.code()).as(r.err()).isZero();
        return r.json();
    }

    @Test
    void sharedStateShowsValueVersionAndTheLastWritersSession() throws Exception {
        Coordinator a = cli.coordinator();
        SharedState<String> state =
                cli.later(SharedState.builder(a, "/config", Codec.utf8(), "v0").build());
        state.start();
        state.set("v1");
        state.set("v2");
        JsonNode v = inspect("/config");
        assertThat(v.get("kind").asText()).isEqualTo("shared-state");
        assertThat(v.get("value").asText()).isEqualTo("v2");
        assertThat(v.get("version").asInt())
                .isEqualTo(state.read().orElseThrow().version());
        assertThat(v.get("lastWriterSession").asText()).isEqualTo(hex(a.sessionId()));

        CliTestSupport.Result text = cli.runReadOnly("inspect", "/config");
        assertThat(text.code()).isZero();
        assertThat(text.out()).startsWith("shared-state /config: version ").contains("value: v2");
    }

    @Test
    void stateTreeShowsItsKeysPaged() throws Exception {
        Coordinator a = cli.coordinator();
        StateTree<String> tree =
                cli.later(StateTree.builder(a, "/flags", Codec.utf8()).build());
        tree.start();
        tree.put("alpha", "1");
        tree.put("beta", "22");
        tree.put("gamma", "333");
        JsonNode v =
                cli.runReadOnly("inspect", "/flags", "--json", "--max", "2").json();
        assertThat(v.get("kind").asText()).isEqualTo("state-tree");
        assertThat(v.get("keyCount").asInt()).isEqualTo(3);
        assertThat(v.get("keys")).hasSize(2);
        assertThat(v.get("keys").get(1).get("key").asText()).isEqualTo("beta");
        assertThat(v.get("keys").get(1).get("size").asInt()).isEqualTo(2);
        assertThat(v.get("more").asInt()).isEqualTo(1);
    }

    @Test
    void aLockHeldByAnotherSessionShowsItsHolderTokenAndWaiters() throws Exception {
        Coordinator holder = cli.coordinator();
        Coordinator waiter = cli.coordinator();
        DistributedLock held =
                cli.later(DistributedLock.builder(holder, "/locks/mutex").build());
        held.start();
        LockHandle handle = held.acquire(WAIT);
        DistributedLock waiting =
                cli.later(DistributedLock.builder(waiter, "/locks/mutex").build());
        waiting.start();
        Future<LockHandle> second = background.submit(() -> waiting.acquire(WAIT));
        await().atMost(WAIT)
                .until(() -> cli.raw()
                                .getChildren("/" + zk.namespace() + "/locks/mutex", false)
                                .size()
                        == 2);

        JsonNode v = inspect("/locks/mutex");
        assertThat(v.get("kind").asText()).isEqualTo("lock");
        assertThat(v.get("holders")).hasSize(1);
        assertThat(v.get("holders").get(0).get("session").asText()).isEqualTo(hex(holder.sessionId()));
        assertThat(v.get("holders").get(0).get("token").asLong()).isEqualTo(handle.token());
        assertThat(v.get("waiters")).hasSize(1);
        assertThat(v.get("waiters").get(0).get("session").asText()).isEqualTo(hex(waiter.sessionId()));

        handle.close();
        second.get(30, TimeUnit.SECONDS).close();

        // read-write lock: a reader holds, a writer waits behind it
        DistributedReadWriteLock rw =
                cli.later(DistributedReadWriteLock.builder(holder, "/locks/rw").build());
        rw.start();
        LockHandle read = rw.acquireRead(WAIT);
        DistributedReadWriteLock rw2 =
                cli.later(DistributedReadWriteLock.builder(waiter, "/locks/rw").build());
        rw2.start();
        Future<LockHandle> write = background.submit(() -> rw2.acquireWrite(WAIT));
        await().atMost(WAIT)
                .until(() -> cli.raw()
                                .getChildren("/" + zk.namespace() + "/locks/rw", false)
                                .size()
                        == 2);
        JsonNode rwView = inspect("/locks/rw");
        assertThat(rwView.get("kind").asText()).isEqualTo("read-write-lock");
        assertThat(rwView.get("holders").get(0).get("mode").asText()).isEqualTo("read");
        assertThat(rwView.get("waiters").get(0).get("mode").asText()).isEqualTo("write");
        read.close();
        write.get(30, TimeUnit.SECONDS).close();

        // semaphore of 2: two leases held, a third client waits; each lease records maxLeases
        DistributedSemaphore sem =
                cli.later(DistributedSemaphore.builder(holder, "/locks/sem", 2).build());
        sem.start();
        DistributedSemaphore sem2 =
                cli.later(DistributedSemaphore.builder(waiter, "/locks/sem", 2).build());
        sem2.start();
        Coordinator third = cli.coordinator();
        DistributedSemaphore sem3 =
                cli.later(DistributedSemaphore.builder(third, "/locks/sem", 2).build());
        sem3.start();
        LockHandle lease = sem.acquire(WAIT);
        LockHandle lease2 = sem2.acquire(WAIT);
        Future<LockHandle> lease3 = background.submit(() -> sem3.acquire(WAIT));
        await().atMost(WAIT).until(() -> childrenOf("/locks/sem") == 3);
        JsonNode semView = inspect("/locks/sem");
        assertThat(semView.get("kind").asText()).isEqualTo("semaphore");
        assertThat(semView.get("maxLeases").asInt()).isEqualTo(2);
        assertThat(semView.get("holders"))
                .extracting(h -> h.get("token").asLong())
                .containsExactly(lease.token(), lease2.token());
        assertThat(semView.get("waiters"))
                .singleElement()
                .satisfies(w -> assertThat(w.get("session").asText()).isEqualTo(hex(third.sessionId())));
        assertThat(semView.get("summary").asText()).endsWith("1 waiting, maxLeases 2");

        // a client built with another maxLeases joins the line: the disagreement is shown, no holder named
        DistributedSemaphore odd = cli.later(
                DistributedSemaphore.builder(cli.coordinator(), "/locks/sem", 5).build());
        odd.start();
        LockHandle oddLease = odd.acquire(WAIT); // fourth in line, within its own 5
        JsonNode disagreeing = inspect("/locks/sem");
        assertThat(disagreeing.get("holders")).isNull();
        assertThat(disagreeing.get("leases")).hasSize(4);
        assertThat(disagreeing.get("maxLeases").get("2").asInt()).isEqualTo(3);
        assertThat(disagreeing.get("maxLeases").get("5").asInt()).isEqualTo(1);
        assertThat(disagreeing.get("note").asText()).contains("disagree");
        oddLease.close();
        lease.close();
        lease2.close();
        lease3.get(30, TimeUnit.SECONDS).close();

        // a lease that records no maxLeases (as an earlier release wrote them): no holder named
        String old = "/" + zk.namespace() + "/locks/old-sem";
        cli.raw().create(old, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        cli.raw()
                .create(
                        old + "/lease-" + java.util.UUID.randomUUID() + "-",
                        new byte[0],
                        ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.EPHEMERAL_SEQUENTIAL);
        JsonNode unrecorded = inspect("/locks/old-sem");
        assertThat(unrecorded.get("kind").asText()).isEqualTo("semaphore");
        assertThat(unrecorded.get("holders")).isNull();
        assertThat(unrecorded.get("leases")).hasSize(1);
        assertThat(unrecorded.get("note").asText()).contains("no lease records maxLeases");
        assertThat(unrecorded.get("summary").asText()).isEqualTo("1 in line, maxLeases unknown");
    }

    private int childrenOf(String path) throws Exception {
        return cli.raw().getChildren("/" + zk.namespace() + path, false).size();
    }

    @Test
    void aLockHeldByAnotherProcessShowsThatProcessesTokenAndSessionAndIsFreeOnceItReleases() throws Exception {
        try (JvmProcess other = JvmProcess.start(
                "lock-holder",
                LockHolderProcess.class,
                List.of("-Xmx128m"),
                List.of(zk.connectString(), zk.namespace(), "/locks/held-elsewhere"))) {
            String[] holds = other.awaitLine("HOLDS").split(" ");

            JsonNode v = inspect("/locks/held-elsewhere");
            assertThat(v.get("holders")).singleElement().satisfies(h -> {
                assertThat(h.get("token").asLong()).isEqualTo(Long.parseLong(holds[1]));
                assertThat(h.get("session").asText()).isEqualTo(holds[2]);
            });
            assertThat(v.get("summary").asText()).startsWith("held by session " + holds[2]);

            other.type("release");
            other.awaitLine("RELEASED");
            assertThat(other.awaitExit(WAIT)).isZero();
        }
        // the lock's znode stays until the server's container sweep: it is shown free
        CliTestSupport.Result r = cli.runReadOnly("inspect", "/locks/held-elsewhere", "--json");
        if (r.code() == 0) {
            assertThat(r.json().get("holders")).isEmpty();
            assertThat(r.json().get("summary").asText()).startsWith("free");
        } else {
            assertThat(r.err()).contains("/locks/held-elsewhere");
        }
    }

    @Test
    void anElectionMidFailoverShowsTheGoneEpochAndWhoTakesOver() throws Exception {
        // node-a runs behind a proxy, so that once its session is gone it cannot come back and mark
        // the handover clean: the election stays mid-failover for node-b's takeover delay
        TcpProxy proxy = cli.later(TcpProxy.start(zk.connectString()));
        Coordinator a = cli.coordinator(proxy.connectString());
        Coordinator b = cli.coordinator();
        LeaderElection first = cli.later(LeaderElection.builder(a, "/election")
                .participantId("node-a")
                .metadata("http://a:8080")
                .takeoverDelay(Duration.ofSeconds(60))
                .build());
        first.start();
        assertThat(first.awaitLeadership(WAIT)).isTrue();
        long epoch = first.leadership().orElseThrow().epoch();
        LeaderElection second = cli.later(LeaderElection.builder(b, "/election")
                .participantId("node-b")
                .metadata("http://b:8080")
                .takeoverDelay(Duration.ofSeconds(60))
                .build());
        second.start();
        await().atMost(WAIT).until(() -> second.currentLeader().equals(Optional.of("node-a")));

        JsonNode leading = inspect("/election");
        assertThat(leading.get("kind").asText()).as(leading.toString()).isEqualTo("election");
        assertThat(leading.get("status").asText()).as(leading.toString()).isEqualTo("leading");
        assertThat(leading.get("leader").asText()).isEqualTo("node-a");
        assertThat(leading.get("epoch").asLong()).isEqualTo(epoch);
        assertThat(leading.get("participants")).hasSize(2);
        assertThat(leading.get("participants").get(1).get("metadata").asText()).isEqualTo("http://b:8080");

        // node-a's session ends without a handover: node-b waits out its takeover delay
        proxy.refuse();
        Faults.expireSession(a.curatorFramework().getZookeeperClient().getZooKeeper(), zk.connectString(), WAIT);
        await().atMost(WAIT).until(() -> {
            JsonNode v = cli.run("inspect", "/election", "--json").json();
            return v.get("status").asText().equals("failover")
                    && v.get("participants").get(0).get("id").asText().equals("node-b");
        });
        JsonNode failover = inspect("/election");
        assertThat(failover.get("epoch").asLong()).isEqualTo(epoch);
        assertThat(failover.get("leader").isNull()).isTrue();
        assertThat(failover.get("summary").asText()).contains("node-b takes over");
    }

    @Test
    void membershipShowsMembersWithMetadataAndSessions() throws Exception {
        Coordinator a = cli.coordinator();
        Coordinator b = cli.coordinator();
        for (Coordinator c : List.of(a, b)) {
            String id = c == a ? "node-a" : "node-b";
            GroupMembership<String> g = cli.later(GroupMembership.builder(c, "/members", Codec.utf8())
                    .memberId(id)
                    .metadata("zone=" + id)
                    .build());
            g.start();
        }
        await().atMost(WAIT)
                .until(() -> cli.raw()
                                .getChildren("/" + zk.namespace() + "/members", false)
                                .size()
                        == 2);
        JsonNode v = inspect("/members");
        assertThat(v.get("kind").asText()).isEqualTo("membership");
        assertThat(v.get("members").get(0).get("id").asText()).isEqualTo("node-a");
        assertThat(v.get("members").get(0).get("metadata").asText()).isEqualTo("zone=node-a");
        assertThat(v.get("members").get(0).get("session").asText()).isEqualTo(hex(a.sessionId()));
        assertThat(v.get("members").get(1).get("session").asText()).isEqualTo(hex(b.sessionId()));
    }

    @Test
    void eventLogShowsItsPositionsAndLogDumpPrintsEventsAsJsonLines() throws Exception {
        Coordinator a = cli.coordinator();
        EventLog<String> log = cli.later(EventLog.builder(a, "/orders", Codec.utf8())
                .segmentSize(4)
                .groupSize(2)
                .build());
        log.start();
        log.append("e0");
        log.appendAll(List.of("e1", "e2", "e3"));
        for (int i = 4; i < 12; i++) {
            log.append("e" + i);
        }
        EventSourcedState<String, String> folded =
                cli.later(EventSourcedState.builder(log, "", (acc, e) -> acc.isEmpty() ? e : acc + "," + e)
                        .snapshots(Codec.utf8(), 5)
                        .build());
        folded.start();
        assertThat(folded.awaitPosition(12, WAIT)).isTrue();
        await().atMost(WAIT)
                .until(() -> cli.raw().exists("/" + zk.namespace() + "/orders/snapshots/manifest", false) != null);
        log.truncateBefore(2);
        JsonNode v = inspect("/orders");
        assertThat(v.get("snapshot").get("position").asLong()).as(v.toString()).isPositive();
        assertThat(v.get("kind").asText()).isEqualTo("event-log");
        assertThat(v.get("firstPosition").asLong()).isEqualTo(log.earliestPosition());
        assertThat(v.get("endPosition").asLong()).isEqualTo(12);
        assertThat(v.get("segmentSize").asInt()).isEqualTo(4);

        CliTestSupport.Result dump = cli.runReadOnly("log", "dump", "/orders", "--from", "3", "--to", "6");
        assertThat(dump.code()).as(dump.err()).isZero();
        List<JsonNode> lines = dump.jsonLines();
        assertThat(lines).extracting(l -> l.get("position").asLong()).containsExactly(3L, 4L, 5L);
        assertThat(lines).extracting(l -> l.get("value").asText()).containsExactly("e3", "e4", "e5");
        assertThat(cli.runReadOnly("log", "dump", "/orders", "--from", "10").jsonLines())
                .hasSize(2);
    }

    @Test
    void aQueueShowsDepthClaimsAndDeadLettersAndARequeuedOneIsTakenAndAcknowledgedOnce() throws Exception {
        Coordinator producer = cli.coordinator();
        Coordinator consumer = cli.coordinator();
        WorkQueue<String> q = cli.later(WorkQueue.builder(producer, "/jobs", Codec.utf8())
                .maxDeliveries(1)
                .build());
        q.start();
        WorkQueue<String> c = cli.later(WorkQueue.builder(consumer, "/jobs", Codec.utf8())
                .maxDeliveries(1)
                .build());
        c.start();
        q.offer("poison");
        c.take(WAIT).orElseThrow().nack(); // its one delivery used: dead at the next take
        q.offerAll(List.of("job-1", "job-2", "job-3"));
        Claim<String> inFlight = c.take(WAIT).orElseThrow();
        assertThat(inFlight.value()).isEqualTo("job-1");
        assertThat(q.deadLetters(0, 10)).hasSize(1);

        JsonNode v = inspect("/jobs");
        assertThat(v.get("kind").asText()).isEqualTo("work-queue");
        assertThat(v.get("depth").asLong()).isEqualTo(3);
        assertThat(v.get("inFlight").asLong()).isEqualTo(1);
        assertThat(v.get("claims").get(0).get("position").asLong()).isEqualTo(inFlight.position());
        assertThat(v.get("claims").get(0).get("session").asText()).isEqualTo(hex(consumer.sessionId()));
        assertThat(v.get("claims").get(0).get("deliveries").asInt()).isEqualTo(1);
        assertThat(v.get("deadLetterCount").asLong()).isEqualTo(1);
        JsonNode dead = v.get("deadLetters").get(0);
        assertThat(dead.get("cause").asText()).isEqualTo("DELIVERIES_EXHAUSTED");
        assertThat(dead.get("value").asText()).isEqualTo("poison");
        long id = dead.get("id").asLong();

        // asked and declined: nothing changes
        CliTestSupport.Result declined = cli.runWithInput("n\n", "queue", "requeue", "/jobs", Long.toString(id));
        assertThat(declined.code()).isEqualTo(CliException.NOT_CONFIRMED);
        assertThat(declined.out()).contains("will requeue 1 of the 1 dead letters of /jobs", "dead letter " + id);
        assertThat(q.deadLetters(0, 10)).hasSize(1);

        // asked and confirmed
        CliTestSupport.Result requeued = cli.runWithInput("y\n", "queue", "requeue", "/jobs", Long.toString(id));
        assertThat(requeued.code()).as(requeued.err()).isZero();
        assertThat(requeued.out()).contains("requeued dead letter " + id + " at position 4");
        assertThat(q.deadLetters(0, 10)).isEmpty();

        inFlight.ack();
        List<String> taken = new ArrayList<>();
        for (Optional<Claim<String>> next = c.take(Duration.ofSeconds(2));
                next.isPresent();
                next = c.take(Duration.ofMillis(500))) {
            taken.add(next.get().value());
            next.get().ack();
        }
        assertThat(taken).containsExactly("job-2", "job-3", "poison");
        assertThat(q.size()).isZero();
        assertThat(q.deadLetters(0, 10)).isEmpty();
    }

    @Test
    void requeueOfAnIdThatIsNotDeadNamesItAndPurgeDeadDeletesThemAll() throws Exception {
        Coordinator a = cli.coordinator();
        WorkQueue<String> q = cli.later(
                WorkQueue.builder(a, "/jobs", Codec.utf8()).maxDeliveries(1).build());
        q.start();
        for (String item : List.of("x", "y")) {
            q.offer(item);
            q.take(WAIT).orElseThrow().nack();
        }
        assertThat(q.take(Duration.ofMillis(200))).isEmpty();
        assertThat(q.deadLetters(0, 10)).hasSize(2);

        CliTestSupport.Result notDead = cli.run("queue", "requeue", "/jobs", "7", "--yes");
        assertThat(notDead.code()).isEqualTo(CliException.FAILED);
        assertThat(notDead.err()).contains("no dead letter 7").contains("/jobs");
        assertThat(notDead.err().strip().lines()).as(notDead.err()).hasSize(1);

        CliTestSupport.Result purged = cli.run("queue", "purge-dead", "/jobs", "--yes");
        assertThat(purged.code()).as(purged.err()).isZero();
        assertThat(purged.out()).contains("will delete the 2 dead letters of /jobs", "deleted 2 dead letters");
        assertThat(q.deadLetters(0, 10)).isEmpty();
        assertThat(cli.run("queue", "purge-dead", "/jobs", "--yes").out()).contains("nothing to purge");
    }

    @Test
    void replicatedStateShowsVersionLeaderAndPendingCommands() throws Exception {
        Coordinator a = cli.coordinator();
        ReplicatedState<Long, Long> counter =
                cli.later(ReplicatedState.builder(a, "/counter", Codec.longs(), Codec.longs(), 0L, (s, cmd) -> s + cmd)
                        .participantId("node-a")
                        .build());
        counter.start();
        await().atMost(WAIT).until(counter::isLeader);
        for (long i = 1; i <= 3; i++) {
            counter.submit(i).get(30, TimeUnit.SECONDS);
        }
        JsonNode v = cli.runReadOnly("inspect", "/counter", "--json").json();
        assertThat(v.get("kind").asText()).isEqualTo("replicated-state");
        assertThat(v.get("version").asLong()).isEqualTo(3);
        assertThat(v.get("state").asText()).isEqualTo("6"); // Codec.longs() is decimal text
        assertThat(v.get("leader").asText()).isEqualTo("node-a");
        assertThat(v.get("pendingCommands").asLong()).isZero();
        assertThat(cli.runReadOnly("log", "dump", "/counter").jsonLines()).hasSize(3);
    }

    @Test
    void treeListsEveryRecipeOnceAndWatchRepeatsTheView() throws Exception {
        Coordinator a = cli.coordinator();
        SharedState<String> state = cli.later(
                SharedState.builder(a, "/app/config", Codec.utf8(), "v0").build());
        state.start();
        state.set("on");
        DistributedLock lock =
                cli.later(DistributedLock.builder(a, "/app/locks/l1").build());
        lock.start();
        LockHandle h = lock.acquire(WAIT);
        WorkQueue<String> q =
                cli.later(WorkQueue.builder(a, "/app/jobs", Codec.utf8()).build());
        q.start();
        q.offer("j");

        CliTestSupport.Result tree = cli.runReadOnly("tree", "--json");
        assertThat(tree.code()).as(tree.err()).isZero();
        JsonNode recipes = tree.json().get("recipes");
        List<String> lines = new ArrayList<>();
        recipes.forEach(
                r -> lines.add(r.get("path").asText() + " " + r.get("kind").asText()));
        assertThat(lines).containsExactly("/app/config shared-state", "/app/jobs work-queue", "/app/locks/l1 lock");
        CliTestSupport.Result text = cli.runReadOnly("tree", "/app");
        assertThat(text.out()).contains("/app/jobs", "depth 1");

        CliTestSupport.Result watch =
                cli.runReadOnly("watch", "/app/jobs", "--json", "--interval", "100ms", "--count", "2");
        assertThat(watch.code()).as(watch.err()).isZero();
        assertThat(watch.jsonLines())
                .hasSize(2)
                .allSatisfy(l -> assertThat(l.get("depth").asLong()).isEqualTo(1));
        h.close();
    }

    @Test
    void digestCredentialsReadWhatOnlyTheirOwnerMayRead() throws Exception {
        Coordinator owner = cli.later(Coordinator.builder(zk.connectString())
                .namespace(zk.namespace())
                .digestAuthentication("ops", "s3cret")
                .aclMode(AclMode.CREATOR_ONLY)
                .build());
        owner.start();
        owner.awaitConnected(WAIT);
        SharedState<String> state = cli.later(
                SharedState.builder(owner, "/secret", Codec.utf8(), "v0").build());
        state.start();
        state.set("hidden");

        CliTestSupport.Result denied = cli.run("inspect", "/secret");
        assertThat(denied.code()).as(denied.out()).isEqualTo(CliException.FAILED);
        assertThat(denied.err()).contains("/secret").contains("NOAUTH");
        assertThat(denied.err().strip().lines()).hasSize(1);

        CliTestSupport.Result allowed = cli.run("inspect", "/secret", "--json", "--digest", "ops:s3cret");
        assertThat(allowed.code()).as(allowed.err()).isZero();
        assertThat(allowed.json().get("value").asText()).isEqualTo("hidden");
    }

    @Test
    void errorsAreOneLineWithTheirExitCodes() throws Exception {
        CliTestSupport.Result unreachable =
                CliTestSupport.runRaw("", "inspect", "/x", "--connect", "127.0.0.1:1", "--connection-timeout", "1s");
        assertThat(unreachable.code()).isEqualTo(CliException.UNREACHABLE);
        assertThat(unreachable.err().strip().lines()).hasSize(1);
        assertThat(unreachable.err()).contains("cannot reach ZooKeeper at 127.0.0.1:1");

        cli.coordinator(); // the namespace exists
        String ns = "/" + zk.namespace();
        try {
            cli.raw().create(ns, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            // made by the coordinator
        }
        CliTestSupport.Result missing = cli.runReadOnly("inspect", "/nothing/here");
        assertThat(missing.code()).isEqualTo(CliException.NO_SUCH_PATH);
        assertThat(missing.err().strip().lines()).hasSize(1);
        assertThat(missing.err()).contains("no znode at /nothing/here");

        cli.raw().create(ns + "/plain", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        CliTestSupport.Result none = cli.runReadOnly("inspect", "/plain");
        assertThat(none.code()).isEqualTo(CliException.NO_RECIPE);
        assertThat(none.err().strip().lines()).hasSize(1);
        assertThat(none.err()).contains("no recipe at /plain");

        CliTestSupport.Result notALog = cli.runReadOnly("log", "dump", "/plain");
        assertThat(notALog.code()).isEqualTo(CliException.NO_RECIPE);
        CliTestSupport.Result notAQueue = cli.run("queue", "purge-dead", "/plain", "--yes");
        assertThat(notAQueue.code()).isEqualTo(CliException.NO_RECIPE);

        cli.raw()
                .create(
                        ns + "/text",
                        "hello".getBytes(StandardCharsets.UTF_8),
                        ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
        assertThat(cli.runReadOnly("log", "dump", "/text").err())
                .contains("no event log at /text: it is a shared-state");
        CliTestSupport.Result usage = cli.run("inspect");
        assertThat(usage.code()).isEqualTo(2);
    }
}
