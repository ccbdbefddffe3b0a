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

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.demo.Ledger.Balances;
import io.statesync.demo.Ledger.Transfer;
import io.statesync.demo.Shards.Assignments;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSourcedState;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.leader.Leadership;
import io.statesync.recipes.leader.TaskStop;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.FencedResource;
import io.statesync.recipes.lock.LockHandle;
import io.statesync.recipes.membership.GroupMembership;
import io.statesync.recipes.queue.Claim;
import io.statesync.recipes.queue.WorkQueue;
import io.statesync.recipes.replication.Applied;
import io.statesync.recipes.replication.CommandRejectedException;
import io.statesync.recipes.replication.ReplicatedState;
import io.statesync.recipes.state.SharedState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The tour: one process, a ZooKeeper (embedded, or the one given with {@code --connect}) and three
 * nodes, each with its own coordinator (its own ZooKeeper session) and its own recipes; every
 * recipe does its job across the nodes, including a failover, narrated step by step.
 */
@Command(
        name = "tour",
        mixinStandardHelpOptions = true,
        description = {
            "One process, a real ZooKeeper and three nodes (each its own ZooKeeper session and recipes):"
                    + " shared config, a fenced lock, a singleton task that fails over when its node dies,"
                    + " an event-sourced ledger replayed by a late node, a work queue, state replicated by"
                    + " one leader that survives its leader's death, and group membership, narrated step"
                    + " by step and summed up at the end. Exit code 0 if every step did what it should.",
            "Without --connect an embedded ZooKeeper is started on a free loopback port and removed at exit."
        })
final class TourCommand implements Callable<Integer> {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int STEPS = 8;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--connect",
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Use this ZooKeeper or ensemble instead of starting an embedded one.")
    @Nullable
    String connect;

    @Option(
            names = "--namespace",
            paramLabel = "NAME",
            description = "ZooKeeper namespace (chroot) for the tour (default: statesync-tour-<random>, so every"
                    + " run starts empty).")
    @Nullable
    String namespace;

    @Option(
            names = "--session-timeout",
            defaultValue = "4s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "Session timeout of every node (default: ${DEFAULT-VALUE}); a dead node's"
                    + " leadership moves after about a third of it plus the task's stop timeout.")
    Duration sessionTimeout;

    @Option(
            names = "--connection-timeout",
            defaultValue = "4s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "How long to wait for ZooKeeper before giving up with exit code 3 (default: ${DEFAULT-VALUE}).")
    Duration connectionTimeout;

    private Console console = new Console(new java.io.PrintWriter(java.io.Writer.nullWriter()), false);
    private String connectString = "";
    private String ns = "";
    private final List<Node> nodes = new ArrayList<>();
    private final List<Result> results = new ArrayList<>();
    private @Nullable StopSignal stop;

    /** What a step reports: its outcome in one line. */
    @FunctionalInterface
    private interface Step {
        String run() throws Exception;
    }

    private record Result(String name, boolean ok, String outcome, Duration took) {}

    @Override
    public Integer call() throws Exception {
        console = new Console(spec.commandLine().getOut(), false);
        ns = namespace != null
                ? namespace
                : "statesync-tour-" + UUID.randomUUID().toString().substring(0, 8);
        long started = System.nanoTime();
        try (StopSignal signal = new StopSignal();
                @Nullable EmbeddedZooKeeper zk = connect == null ? EmbeddedZooKeeper.start(1) : null) {
            stop = signal;
            if (zk != null) {
                connectString = zk.connectString();
                console.say("Started an embedded ZooKeeper server at " + connectString
                        + " (ZooKeeper's own ZooKeeperServerEmbedded, temporary data directory).");
            } else {
                connectString = Objects.requireNonNull(connect);
                console.say("Using the ZooKeeper at " + connectString + ".");
            }
            console.say("Namespace /" + ns + ", session timeout " + DurationConverter.show(sessionTimeout)
                    + ". Each node below is its own ZooKeeper session with its own recipes.");
            try {
                runSteps();
            } finally {
                closeAll();
            }
        }
        boolean allOk = results.stream().allMatch(Result::ok);
        console.say("");
        console.say("Summary");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            console.say(String.format(
                    Locale.ROOT,
                    "  %d. %-16s %-6s %9s  %s",
                    i + 1,
                    r.name(),
                    r.ok() ? "OK" : r.took().isZero() ? "-" : "FAILED",
                    DurationConverter.show(r.took()),
                    r.outcome()));
        }
        long okCount = results.stream().filter(Result::ok).count();
        console.say(String.format(
                Locale.ROOT,
                "%d of %d steps OK in %s.",
                okCount,
                results.size(),
                DurationConverter.show(Duration.ofNanos(System.nanoTime() - started))));
        return allOk ? Demo.OK : Demo.FAILED;
    }

    private void runSteps() throws InterruptedException {
        // The first connection decides whether ZooKeeper is there at all (exit code 3 if not).
        nodes.add(Node.connect(this, "node-1"));
        step("membership", "Three nodes join the group", this::nodesJoin);
        step("shared config", "Shared config: changed on one node, applied on all three", this::sharedConfig);
        step("fenced lock", "A lock whose fencing token makes a stale holder's write bounce", this::fencedLock);
        step("event log", "An event-sourced ledger appended from three nodes, replayed by a late one", this::ledger);
        step(
                "work queue",
                "A work queue: jobs offered on one node, worked off by the others; a worker dies",
                this::workQueue);
        step(
                "replicated state",
                "Replicated state: every node submits commands, one leader applies them; the leader dies",
                this::replicated);
        step(
                "singleton task",
                "A singleton task on the leader; the leader's node dies; the task moves",
                this::singleton);
        step("leave and join", "Membership after the failover", this::membershipAtTheEnd);
    }

    private void step(String name, String title, Step body) {
        StopSignal signal = stop;
        if (signal != null && signal.stopped()) {
            results.add(new Result(name, false, "not run: stopped with Ctrl-C", Duration.ZERO));
            return;
        }
        console.say("");
        console.say("[" + (results.size() + 1) + "/" + STEPS + "] " + title);
        long t0 = System.nanoTime();
        String outcome;
        boolean ok;
        try {
            outcome = body.run();
            ok = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
            ok = false;
        } catch (Exception e) {
            outcome = e.getMessage() == null ? e.toString() : e.getMessage();
            ok = false;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        console.say("  => " + (ok ? "OK: " : "FAILED: ") + outcome);
        results.add(new Result(name, ok, outcome, took));
    }

    // ---------------------------------------------------------------------------------------------
    // 1. membership

    private String nodesJoin() throws Exception {
        console.say("  Every node registers an ephemeral member znode under /members with a line about itself,"
                + " and watches the group.");
        while (nodes.size() < 3) {
            nodes.add(Node.connect(this, "node-" + (nodes.size() + 1)));
        }
        for (Node n : nodes) {
            n.join();
        }
        for (Node n : nodes) {
            await(n.id + " sees three members", () -> n.members().size() == 3);
        }
        for (Node n : nodes) {
            console.event(n.id + " sees members " + n.members());
        }
        return "3 nodes joined; every node sees " + nodes.get(0).members();
    }

    // ---------------------------------------------------------------------------------------------
    // 2. shared config

    private String sharedConfig() throws Exception {
        console.say(
                "  Each node keeps a SharedState<String> of /config/service and applies every change it is told of.");
        for (Node n : nodes) {
            SharedState<String> config = SharedState.builder(
                            n.coordinator, "/config/service", Codec.utf8(), "rate-limit=100")
                    .build();
            n.config = config;
            config.addListener(change -> change.current().ifPresent(v -> {
                n.appliedConfig.add(v);
                console.event(n.id + " applied config version " + v.version() + ": " + v.value()
                        + (change.kind() == ChangeKind.INITIAL ? " (initial)" : ""));
            }));
            config.start();
        }
        for (Node n : nodes) {
            if (!n.config().awaitInitialized(WAIT)) {
                throw new IllegalStateException(n.id + " did not read the config within " + WAIT);
            }
        }
        Versioned<String> first = nodes.get(1).config().set("rate-limit=250");
        console.event("node-2 set rate-limit=250: version " + first.version());
        awaitConfig(first.version());
        Versioned<String> second = nodes.get(2).config().update(v -> v + ",feature-x=on");
        console.event("node-3 updated it (compare-and-set) to " + second.value() + ": version " + second.version());
        awaitConfig(second.version());
        for (Node n : nodes) {
            List<Integer> seen =
                    n.appliedConfig.stream().map(Versioned::version).toList();
            for (int i = 1; i < seen.size(); i++) {
                if (seen.get(i) <= seen.get(i - 1)) {
                    throw new IllegalStateException(n.id + " applied versions out of order: " + seen);
                }
            }
        }
        return "all 3 nodes applied version " + second.version() + " (" + second.value()
                + "), every node in version order";
    }

    private void awaitConfig(int version) throws InterruptedException {
        for (Node n : nodes) {
            await(
                    n.id + " applies config version " + version,
                    () -> n.config().get().map(v -> v.version() >= version).orElse(false));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // 3. fenced lock

    private String fencedLock() throws Exception {
        Node a = nodes.get(0);
        Node b = nodes.get(1);
        console.say("  node-1 and node-2 share a DistributedLock on /locks/invoices. An invoice store outside"
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
        lockA.addLockLostListener((handle, reason) -> console.event(
                "node-1 is told: its lock (token " + handle.token() + ") is lost: " + reason.getMessage()));
        lockA.start();
        lockB.start();

        LockHandle held = lockA.acquire(WAIT);
        console.event("node-1 acquires the lock: fencing token " + held.token());
        check(append(store, held.token(), "INV-1 by node-1"), "the store refused node-1's first write");
        held.write(GuardedWrite.of().setData("/invoices/last", utf8("INV-1 by node-1"), -1));
        console.event("node-1 writes INV-1 to the store and to /invoices/last (guarded): both accepted");

        console.say("  node-1 now freezes (think of a long GC pause) while still holding the lock. Meanwhile the"
                + " ZooKeeper server ends its session, as it does for any client silent for longer than the session"
                + " timeout: the demo does this by expiring node-1's session on the server.");
        SessionExpiry.expire(a.coordinator, connectString, WAIT);
        console.event("the server expired node-1's session: its lock znode is gone");

        long tokenB;
        try (LockHandle next = lockB.acquire(WAIT)) {
            tokenB = next.token();
            console.event("node-2 acquires the lock: fencing token " + tokenB + " (higher than node-1's " + held.token()
                    + ")");
            check(tokenB > held.token(), "node-2's token is not higher than node-1's");
            check(append(store, tokenB, "INV-2 by node-2"), "the store refused node-2's write");
            next.write(GuardedWrite.of().setData("/invoices/last", utf8("INV-2 by node-2"), -1));
            console.event("node-2 writes INV-2 to the store and to /invoices/last (guarded): both accepted");

            await("node-1 to hear that its session ended", () -> !held.isValid() && a.coordinator.isConnected());
            console.say("  node-1 wakes up and, believing it still holds the lock, goes on writing with its old token."
                    + " (Its client has meanwhile reconnected with a new session and marked the handle lost, so the"
                    + " guarded write is refused before it is sent; a holder that had not heard yet would be refused"
                    + " by the server, whose check of the holder's lock znode fails.)");
            boolean stale = append(store, held.token(), "INV-3 by node-1 (stale)");
            check(!stale, "the store accepted node-1's stale write");
            console.event("the store refuses node-1's write: token " + held.token() + " is lower than "
                    + store.highestToken() + ", which it has already seen");
            try {
                held.write(GuardedWrite.of().setData("/invoices/last", utf8("INV-3 by node-1 (stale)"), -1));
                throw new IllegalStateException("node-1's stale guarded write landed");
            } catch (LockLostException e) {
                console.event("node-1's guarded write is refused: LockLostException (" + e.getMessage() + ")");
            }
        }
        String last = new String(
                b.coordinator.curatorFramework().getData().forPath("/invoices/last"), StandardCharsets.UTF_8);
        check(last.equals("INV-2 by node-2"), "/invoices/last holds " + last);
        check(store.read().equals(List.of("INV-1 by node-1", "INV-2 by node-2")), "the store holds " + store.read());
        console.event("the store holds " + store.read() + "; /invoices/last holds \"" + last + "\"");
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

    // ---------------------------------------------------------------------------------------------
    // 4. ledger

    private String ledger() throws Exception {
        console.say("  Each node opens the EventLog /ledger and an EventSourcedState that folds its transfers into"
                + " balances (alice, bob and carol start with 100 each). The three nodes append at the same time.");
        for (Node n : nodes) {
            n.openLedger();
        }
        List<List<Transfer>> plans = List.of(
                List.of(
                        new Transfer("alice", "bob", 10),
                        new Transfer("alice", "carol", 5),
                        new Transfer("bob", "carol", 7),
                        new Transfer("carol", "alice", 3)),
                List.of(
                        new Transfer("bob", "alice", 20),
                        new Transfer("carol", "bob", 1),
                        new Transfer("alice", "bob", 2),
                        new Transfer("bob", "carol", 4)),
                List.of(
                        new Transfer("carol", "alice", 8),
                        new Transfer("alice", "carol", 6),
                        new Transfer("bob", "alice", 9),
                        new Transfer("carol", "bob", 11)));
        ExecutorService appenders = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Node n = nodes.get(i);
                List<Transfer> plan = plans.get(i);
                done.add(appenders.submit(() -> {
                    for (Transfer t : plan) {
                        long p = n.log().append(t);
                        console.event(n.id + " appended " + t + " at position " + p);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            appenders.shutdownNow();
        }
        long end = 12;
        for (Node n : nodes) {
            if (!n.ledger().awaitPosition(end, WAIT)) {
                throw new IllegalStateException(n.id + " did not apply 12 events within " + WAIT);
            }
            console.event(n.id + " applied " + n.ledger().position() + " events: balances "
                    + n.ledger().current().value());
        }
        console.say("  node-4 starts only now: it joins the group, opens the ledger and replays it from position 0.");
        Node late = Node.connect(this, "node-4");
        nodes.add(late);
        late.join();
        long t0 = System.nanoTime();
        late.openLedger();
        if (!late.ledger().awaitPosition(end, WAIT)) {
            throw new IllegalStateException("node-4 did not replay 12 events within " + WAIT);
        }
        Balances expected = nodes.get(0).ledger().current().value();
        console.event("node-4 replayed " + late.ledger().position() + " events in "
                + DurationConverter.show(Duration.ofNanos(System.nanoTime() - t0)) + ": balances "
                + late.ledger().current().value());
        for (Node n : nodes) {
            check(n.ledger().current().value().equals(expected), n.id + " holds different balances");
        }
        check(expected.total() == 300, "the balances do not add up to 300: " + expected);
        return "12 transfers from 3 nodes; nodes 1-3 and late node-4 (replayed from position 0) hold the same"
                + " balances " + expected + " (total " + expected.total() + ")";
    }

    // ---------------------------------------------------------------------------------------------
    // 5. work queue

    private String workQueue() throws Exception {
        console.say("  node-1, node-2 and node-3 open the WorkQueue /jobs/thumbnails. node-1 offers 12 jobs in one"
                + " atomic batch; a job is claimed by one worker at a time and removed only when acknowledged.");
        for (int i = 0; i < 3; i++) {
            Node n = nodes.get(i);
            WorkQueue<String> q = WorkQueue.builder(n.coordinator, "/jobs/thumbnails", Codec.utf8())
                    .maxDeliveries(3)
                    .build();
            n.queue = q;
            q.start();
        }
        List<String> jobs = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            jobs.add(String.format(Locale.ROOT, "job-%02d", i));
        }
        long first = nodes.get(0).queue().offerAll(jobs);
        console.event(
                "node-1 offered " + jobs.size() + " jobs at positions " + first + ".." + (first + jobs.size() - 1));

        Node dying = nodes.get(1);
        Claim<String> orphan =
                dying.queue().take(WAIT).orElseThrow(() -> new IllegalStateException("node-2 found no job to take"));
        console.event("node-2 takes " + orphan.value() + " (delivery " + orphan.deliveryCount() + ")");
        console.say("  node-2 dies before acknowledging it: the demo expires node-2's session on the server. Its claim"
                + " is an ephemeral znode, so it goes with the session and the job can be taken again.");
        SessionExpiry.expire(dying.coordinator, connectString, WAIT);
        console.event("the server expired node-2's session");

        Map<String, String> doneBy = new ConcurrentHashMap<>();
        Map<String, Integer> deliveries = new ConcurrentHashMap<>();
        List<String> duplicates = new CopyOnWriteArrayList<>();
        ExecutorService workers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Node worker : List.of(nodes.get(0), nodes.get(2))) {
                done.add(workers.submit(() -> {
                    long deadline = System.nanoTime() + WAIT.toNanos();
                    while (doneBy.size() < jobs.size() && System.nanoTime() < deadline) {
                        Optional<Claim<String>> taken = worker.queue().take(Duration.ofMillis(300));
                        if (taken.isEmpty()) {
                            continue;
                        }
                        try (Claim<String> claim = taken.get()) {
                            claim.ack();
                            deliveries.put(claim.value(), claim.deliveryCount());
                            if (doneBy.putIfAbsent(claim.value(), worker.id) != null) {
                                duplicates.add(claim.value());
                            }
                            console.event(worker.id + " did " + claim.value() + " (delivery " + claim.deliveryCount()
                                    + ") and acknowledged it");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            workers.shutdownNow();
        }
        check(duplicates.isEmpty(), "acknowledged twice: " + duplicates);
        check(doneBy.keySet().equals(new TreeSet<>(jobs)), "not every job was done: " + new TreeSet<>(doneBy.keySet()));
        Integer again = deliveries.get(orphan.value());
        check(again != null && again >= 2, orphan.value() + " was not delivered again (delivery " + again + ")");
        await("node-2 to hear that its session ended", () -> !orphan.isHeld() && dying.coordinator.isConnected());
        console.say("  node-2 comes back (a new session) and tries to acknowledge the job it held.");
        String lateAck;
        try {
            orphan.ack();
            throw new IllegalStateException("node-2's late acknowledgement of " + orphan.value() + " was accepted");
        } catch (StateSyncException e) {
            lateAck = e.getClass().getSimpleName();
            console.event("node-2's late acknowledgement of " + orphan.value() + " is refused: " + lateAck);
        }
        long left = nodes.get(0).queue().size();
        check(left == 0, left + " jobs left in the queue");
        return "12 jobs offered by node-1, each acknowledged exactly once; " + orphan.value() + ", held by node-2 when"
                + " it died, was delivered again (delivery " + again + ") to " + doneBy.get(orphan.value())
                + "; node-2's late ack was refused (" + lateAck + "); queue empty";
    }

    // ---------------------------------------------------------------------------------------------
    // 6. replicated state

    /** A submitted command and how its future completed (counted, to show it completed once). */
    private static final class Submitted {
        final Node by;
        final Shards.Command command;
        final CompletableFuture<Applied<Assignments>> future;
        final AtomicInteger completions = new AtomicInteger();

        Submitted(Node by, Shards.Command command) {
            this.by = by;
            this.command = command;
            this.future = by.shards().submit(command);
            var unused = this.future.whenComplete((applied, error) -> completions.incrementAndGet());
        }

        /** Waits for the outcome: the Applied, or the exception the future failed with. */
        Object outcome() throws InterruptedException {
            try {
                return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                return Objects.requireNonNull(e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException(
                        "no outcome within " + DurationConverter.show(WAIT) + " for " + command);
            }
        }

        long position() throws InterruptedException {
            Object o = outcome();
            if (o instanceof Applied<?> a) {
                return a.position();
            }
            return o instanceof CommandRejectedException r ? r.position() : Long.MAX_VALUE;
        }
    }

    private String replicated() throws Exception {
        List<Node> three = List.of(nodes.get(0), nodes.get(1), nodes.get(2));
        console.say("  node-1, node-2 and node-3 each keep a ReplicatedState of shard assignments at /shards. One of"
                + " them is elected the replication leader: only it changes the state, one command at a time, with a"
                + " deterministic function (a claim of a shard another node owns is rejected). Any node may submit a"
                + " command; every node takes the state the leader publishes, with its version (commands consumed).");
        for (Node n : three) {
            n.openShards();
        }
        await(
                "a replication leader",
                () -> three.stream().anyMatch(n -> n.shards().isLeader()));
        Node leader =
                three.stream().filter(n -> n.shards().isLeader()).findFirst().orElseThrow();
        console.event(leader.id + " is the replication leader");

        console.say("  All three nodes submit at once: each claims two shards, and node-1 and node-3 both claim"
                + " shard-1 (only one of them can have it).");
        Map<Node, List<Shards.Command>> plan = Map.of(
                three.get(0), List.of(claim("shard-1", "node-1"), claim("shard-4", "node-1")),
                three.get(1), List.of(claim("shard-2", "node-2"), claim("shard-5", "node-2")),
                three.get(2), List.of(claim("shard-3", "node-3"), claim("shard-1", "node-3")));
        List<Submitted> submitted = new CopyOnWriteArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService submitters = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Map.Entry<Node, List<Shards.Command>> e : plan.entrySet()) {
                done.add(submitters.submit(() -> {
                    go.await();
                    for (Shards.Command c : e.getValue()) {
                        submitted.add(new Submitted(e.getKey(), c));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            submitters.shutdownNow();
        }
        console.say("  The leader takes the commands in their order in the command log, applies them one at a time and"
                + " publishes the result in batches: a node may skip a version, never go back.");
        List<Submitted> inOrder = new ArrayList<>(submitted);
        List<Long> positions = new ArrayList<>();
        for (Submitted s : submitted) {
            positions.add(s.position());
        }
        inOrder.sort((x, y) -> Long.compare(positions.get(submitted.indexOf(x)), positions.get(submitted.indexOf(y))));
        List<Submitted> rejected = new ArrayList<>();
        for (Submitted s : inOrder) {
            Object o = s.outcome();
            if (o instanceof Applied<?> a) {
                console.event("position " + a.position() + ": " + s.command + ": applied (version " + a.version()
                        + "), " + s.by.id + "'s future completed");
            } else if (o instanceof CommandRejectedException r) {
                rejected.add(s);
                console.event("position " + r.position() + ": " + s.command + ": rejected (" + r.why() + "); only "
                        + s.by.id + "'s future for it failed, with CommandRejectedException");
            } else {
                throw new IllegalStateException(s.command + " failed: " + o);
            }
        }
        check(rejected.size() == 1, "expected exactly one rejected command, got " + rejected.size());
        Submitted lost = rejected.get(0);
        check(
                lost.command.shard().equals("shard-1"),
                "the rejected command is not a claim of shard-1: " + lost.command);
        int firstRound = submitted.size();
        Assignments agreed = awaitSameShards(three, firstRound);
        console.event("every node is at version " + firstRound + ": " + agreed);

        console.say("  Now " + leader.id + ", the replication leader, dies: the demo expires its session on the server."
                + " Its election znode goes at once and another node leads, resuming at the published position; a"
                + " deposed leader's publish would be refused.");
        SessionExpiry.expire(leader.coordinator, connectString, WAIT);
        console.event("the server expired " + leader.id + "'s session");
        Node submitter = three.stream().filter(n -> n != leader).findFirst().orElseThrow();
        Submitted late = new Submitted(submitter, claim("shard-6", submitter.id));
        console.event(submitter.id + " submits: " + late.command);
        Object o = late.outcome();
        if (!(o instanceof Applied<?> applied)) {
            throw new IllegalStateException(late.command + " was not applied: " + o);
        }
        Node successor = three.stream()
                .filter(n -> n != leader && n.shards().isLeader())
                .findFirst()
                .orElse(null);
        console.event(late.command + ": applied at position " + applied.position() + " (version " + applied.version()
                + ")" + (successor == null ? "" : " by the new leader " + successor.id));
        check(
                applied.version() == firstRound + 1L,
                late.command + " produced version " + applied.version() + ", not " + (firstRound + 1)
                        + ": not applied exactly once");
        Assignments last = awaitSameShards(three, firstRound + 1);
        check(last.owners().get("shard-6") != null, "shard-6 is not in " + last);
        for (Submitted s : submitted) {
            check(s.completions.get() == 1, s.command + "'s future completed " + s.completions.get() + " times");
        }
        check(late.completions.get() == 1, late.command + "'s future completed " + late.completions.get() + " times");
        for (Node n : three) {
            List<Integer> seen = n.shardVersions;
            for (int i = 1; i < seen.size(); i++) {
                check(seen.get(i) > seen.get(i - 1), n.id + " saw versions go back: " + seen);
            }
        }
        console.event(leader.id + " is back with a new session and has caught up: every node at version "
                + (firstRound + 1) + ": " + last);
        return (firstRound + 1) + " commands from 3 nodes, applied one at a time; \"" + lost.command + "\" rejected ("
                + ((CommandRejectedException) lost.outcome()).why() + "), only its own future failed; after leader "
                + leader.id + " died, \"" + late.command + "\" was applied once (version " + applied.version()
                + "); all 3 nodes at version " + (firstRound + 1) + ", every future completed once";
    }

    private static Shards.Command claim(String shard, String node) {
        return new Shards.Command(Shards.Action.CLAIM, shard, node);
    }

    private static Assignments awaitSameShards(List<Node> three, int version) throws InterruptedException {
        for (Node n : three) {
            await(
                    n.id + " reaches replicated version " + version,
                    () -> n.shards().current().version() >= version);
        }
        Assignments first = three.get(0).shards().current().value();
        for (Node n : three) {
            Versioned<Assignments> v = n.shards().current();
            check(v.version() == version, n.id + " is at version " + v.version() + ", not " + version);
            check(v.value().equals(first), n.id + " holds " + v.value() + ", not " + first);
        }
        return first;
    }

    // ---------------------------------------------------------------------------------------------
    // 7. singleton task

    private record Tick(String node, long epoch, long at) {}

    private String singleton() throws Exception {
        console.say("  node-1, node-2 and node-3 join a LeaderElection on /jobs/report with a scheduled task that"
                + " runs every 250 ms, only on the leader, handed the leadership's epoch (its fencing token).");
        List<Tick> ticks = new CopyOnWriteArrayList<>();
        Map<String, TaskStop> stops = new ConcurrentHashMap<>();
        Map<String, Long> stoppedAt = new ConcurrentHashMap<>();
        for (int i = 0; i < 3; i++) {
            Node n = nodes.get(i);
            AtomicLong lastEpoch = new AtomicLong();
            LeaderElection election = LeaderElection.builder(n.coordinator, "/jobs/report")
                    .participantId(n.id)
                    .scheduledTask(Duration.ofMillis(250), leadership -> {
                        ticks.add(new Tick(n.id, leadership.epoch(), System.nanoTime()));
                        if (lastEpoch.getAndSet(leadership.epoch()) != leadership.epoch()) {
                            console.event(n.id + " runs the report task (epoch " + leadership.epoch() + ")");
                        }
                    })
                    .stopTimeout(Duration.ofSeconds(1))
                    .onTaskStop(stop -> {
                        stops.put(n.id, stop);
                        stoppedAt.put(n.id, System.nanoTime());
                        console.event(n.id + "'s task stopped: " + stop.reason() + ", "
                                + (stop.ended() ? "ended " : "still running ")
                                + stop.duration().toMillis()
                                + " ms after its interrupt");
                    })
                    .build();
            n.election = election;
            if (i == 2) {
                election.addListener(change -> {
                    Optional<Versioned<Leadership>> now = change.current();
                    console.event("node-3 sees "
                            + now.map(v -> "leader " + v.value().leaderId() + " (epoch "
                                            + v.value().epoch() + ")")
                                    .orElse("no leader"));
                });
            }
            election.start();
        }
        await("a leader's task to run twice", () -> ticks.size() >= 2);
        Tick first = ticks.get(0);
        Node leader = byId(first.node());
        console.say("  " + leader.id + " leads. Now its node dies: the demo expires " + leader.id + "'s session on the"
                + " ZooKeeper server (what the server does when a node crashes or freezes past its session timeout)."
                + " Its election znode goes at once; " + leader.id + " hears of it on its next heartbeat and stops its"
                + " task; a successor waits the takeover delay (stop timeout + a third of the session timeout) so the"
                + " old task has surely stopped, then leads with a higher epoch.");
        long killedAt = System.nanoTime();
        SessionExpiry.expire(leader.coordinator, connectString, WAIT);
        console.event("the server expired " + leader.id + "'s session");
        await(
                "another node's task to run",
                () -> ticks.stream().anyMatch(t -> !t.node().equals(leader.id)));
        Tick successor = ticks.stream()
                .filter(t -> !t.node().equals(leader.id))
                .findFirst()
                .orElseThrow();
        Duration failover = Duration.ofNanos(successor.at() - killedAt);
        check(successor.epoch() > first.epoch(), "the successor's epoch is not higher");
        Long oldStopped = stoppedAt.get(leader.id);
        check(oldStopped != null && oldStopped < successor.at(), leader.id + "'s task had not stopped first");
        long overlap = ticks.stream()
                .filter(t -> t.node().equals(leader.id) && t.at() > successor.at())
                .count();
        check(overlap == 0, leader.id + "'s task ran after its successor's started");
        console.say("  " + leader.id + " is now shut down for good (its recipes and coordinator closed): the others see"
                + " it leave the group at once.");
        nodes.remove(leader);
        leader.close();
        TaskStop stop = stops.get(leader.id);
        return "task moved from " + leader.id + " (epoch " + first.epoch() + ") to " + successor.node() + " (epoch "
                + successor.epoch() + ") " + DurationConverter.show(failover) + " after the session ended; "
                + leader.id + "'s task stopped first (" + (stop == null ? "?" : stop.reason()) + ")";
    }

    // ---------------------------------------------------------------------------------------------
    // 8. membership at the end

    private String membershipAtTheEnd() throws Exception {
        Node late =
                nodes.stream().filter(n -> n.id.equals("node-4")).findFirst().orElseThrow();
        console.say("  node-4 leaves cleanly (its member znode is deleted on close): the others see it at once.");
        nodes.remove(late);
        late.close();
        Set<String> expected = new TreeSet<>();
        for (Node n : nodes) {
            expected.add(n.id);
        }
        for (Node n : nodes) {
            await(n.id + " sees exactly " + expected, () -> n.members().equals(expected));
            console.event(n.id + " sees members " + n.members());
        }
        return "joins and leaves reached every node: now " + expected + " (a node died in step 7, node-4 left)";
    }

    // ---------------------------------------------------------------------------------------------

    private Node byId(String id) {
        return nodes.stream().filter(n -> n.id.equals(id)).findFirst().orElseThrow();
    }

    private void closeAll() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        nodes.clear();
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new IllegalStateException(failure);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "timed out after " + DurationConverter.show(WAIT) + " waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** One node of the tour: its own coordinator (ZooKeeper session) and recipes. */
    private static final class Node implements AutoCloseable {
        final String id;
        final Coordinator coordinator;
        final TourCommand tour;
        final List<Versioned<String>> appliedConfig = new CopyOnWriteArrayList<>();

        @Nullable
        GroupMembership<String> group;

        @Nullable
        SharedState<String> config;

        @Nullable
        DistributedLock lock;

        @Nullable
        EventLog<Transfer> log;

        @Nullable
        EventSourcedState<Balances, Transfer> ledger;

        @Nullable
        LeaderElection election;

        @Nullable
        WorkQueue<String> queue;

        @Nullable
        ReplicatedState<Assignments, Shards.Command> shards;

        final List<Integer> shardVersions = new CopyOnWriteArrayList<>();

        private Node(TourCommand tour, String id, Coordinator coordinator) {
            this.tour = tour;
            this.id = id;
            this.coordinator = coordinator;
        }

        static Node connect(TourCommand tour, String id) throws InterruptedException {
            Coordinator c =
                    ConnectOptions.connect(tour.connectString, tour.ns, tour.sessionTimeout, tour.connectionTimeout);
            tour.console.event(id + " connected (session 0x" + Long.toHexString(c.sessionId()) + ")");
            return new Node(tour, id, c);
        }

        void join() throws InterruptedException {
            GroupMembership<String> g = GroupMembership.builder(coordinator, "/members", Codec.utf8())
                    .memberId(id)
                    .metadata(id + " of the tour")
                    .build();
            group = g;
            if (id.equals("node-3")) {
                g.addListener(change -> {
                    String member = change.path().substring(change.path().lastIndexOf('/') + 1);
                    switch (change.kind()) {
                        case CREATED -> tour.console.event("node-3 sees " + member + " join");
                        case DELETED -> tour.console.event("node-3 sees " + member + " leave");
                        default -> {}
                    }
                });
            }
            g.start();
            if (!g.awaitRegistered(WAIT)) {
                throw new IllegalStateException(id + " did not register within " + WAIT);
            }
        }

        Set<String> members() {
            GroupMembership<String> g = group;
            return g == null ? Set.of() : new TreeSet<>(g.members().keySet());
        }

        void openLedger() {
            EventLog<Transfer> l =
                    EventLog.builder(coordinator, "/ledger", Ledger.CODEC).build();
            l.start();
            log = l;
            EventSourcedState<Balances, Transfer> s = EventSourcedState.builder(l, Balances.opening(), Balances::apply)
                    .build();
            s.start();
            ledger = s;
        }

        void openShards() {
            ReplicatedState<Assignments, Shards.Command> s = ReplicatedState.builder(
                            coordinator,
                            "/shards",
                            Shards.STATE_CODEC,
                            Shards.COMMAND_CODEC,
                            Assignments.none(),
                            Assignments::apply)
                    .participantId(id)
                    .commandTimeout(WAIT)
                    .build();
            shards = s;
            s.addListener(change -> change.current().ifPresent(v -> {
                shardVersions.add(v.version());
                if (change.kind() != ChangeKind.INITIAL) {
                    tour.console.event(id + " sees version " + v.version() + ": " + v.value());
                }
            }));
            s.start();
        }

        ReplicatedState<Assignments, Shards.Command> shards() {
            ReplicatedState<Assignments, Shards.Command> s = shards;
            if (s == null) {
                throw new IllegalStateException(id + " has no replicated state open");
            }
            return s;
        }

        WorkQueue<String> queue() {
            WorkQueue<String> q = queue;
            if (q == null) {
                throw new IllegalStateException(id + " has no work queue open");
            }
            return q;
        }

        SharedState<String> config() {
            SharedState<String> c = config;
            if (c == null) {
                throw new IllegalStateException(id + " has no config open");
            }
            return c;
        }

        EventLog<Transfer> log() {
            EventLog<Transfer> l = log;
            if (l == null) {
                throw new IllegalStateException(id + " has no ledger open");
            }
            return l;
        }

        EventSourcedState<Balances, Transfer> ledger() {
            EventSourcedState<Balances, Transfer> s = ledger;
            if (s == null) {
                throw new IllegalStateException(id + " has no ledger open");
            }
            return s;
        }

        /** Closes every recipe, then the coordinator (which ends the session). */
        @Override
        public void close() {
            for (AutoCloseable r : new AutoCloseable[] {election, shards, queue, ledger, log, lock, config, group}) {
                if (r != null) {
                    try {
                        r.close();
                    } catch (Exception e) {
                        tour.console.event(id + ": closing " + r + " failed: " + e);
                    }
                }
            }
            coordinator.close();
        }
    }
}
