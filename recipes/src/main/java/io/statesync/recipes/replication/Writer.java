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
import io.statesync.core.DecodingException;
import io.statesync.core.GuardedWrite;
import io.statesync.core.IncompatibleLayoutException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.VersionConflictException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Codecs;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.Telemetry;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSubscription;
import io.statesync.recipes.eventlog.LogEvent;
import io.statesync.recipes.eventlog.UndecodablePolicy;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.leader.Leadership;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.zookeeper.CreateMode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of a replicated state, its leader side: the election's task on this node. While this
 * node leads it resumes at the published position, reads the command log in batches of at most
 * {@code maxBatch}, applies them with the function (rejecting a command that throws, returns
 * {@code null}, does not decode, or would push the published state over the value limit) and
 * publishes the new state and position in one write guarded by its leadership, compacting the
 * command log behind it. It owns the leader's {@link #failure()}; the follower side (the local view,
 * the futures) stays in {@link DefaultReplicatedState}.
 *
 * <p>Positions of a command log given through {@link ReplicatedState.Builder#commandLog} may have
 * gaps (a Kafka log's offsets: a record its readers skip, such as a second copy of an append, keeps
 * its offset). A position the leader passes over without a command is recorded among the outcomes
 * as {@link #SKIPPED}, so that a submitter whose append returned that position learns its command
 * was consumed elsewhere; on such a log an idle leader wakes every 500 ms to ask the log whether the
 * positions its subscription passed over hold a command, and publishes past them if not, so that
 * the version reaches the end of the log. The replicated state's own ZooKeeper log has no gaps (its
 * appenders name each record's znode after its position), so there the idle leader only waits for
 * commands. Either way the end of leadership, and so {@code close()}, interrupts the wait.
 */
final class Writer<S, C> {
    // The recipe's logger: the writer's messages keep the category they always had.
    private static final Logger LOG = LoggerFactory.getLogger(DefaultReplicatedState.class);

    /** The leader moves the command log's retention point in steps of at least this many. */
    private static final long COMPACT_STEP = 100;

    /**
     * The outcome recorded for a position that holds no command to apply (a second copy of an
     * append, which readers skip; a position the log cannot deliver). It starts with a character no
     * rejection reason starts with, so {@link DefaultReplicatedState} tells it apart.
     */
    static final String SKIPPED = "\u0000skipped";

    /**
     * How long an idle leader waits for commands before it looks for positions passed over, on a
     * log given through {@code commandLog} ({@link #idleChecks}).
     */
    private static final long IDLE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Coordinator coordinator;
    private final String path;
    private final String statePath;
    private final String commandsPath;
    private final Codec<S> stateCodec;
    private final Codec<C> commandCodec;
    private final BiFunction<S, C, S> function;
    private final int maxBatch;
    private final long retainCommands;
    private final int rejectionRetention;
    private final UndecodablePolicy undecodablePolicy;
    private final boolean compact;
    /** Whether the log was given through {@code commandLog}: its positions may have gaps. */
    private final boolean idleChecks;

    private final byte[] initialPublished;

    private final Telemetry.Probe probe;
    private final ListenerSet<StateListener<S>> listeners;
    private final EventLog<byte[]> log;
    private final LeaderElection election;

    private volatile @Nullable StateSyncException failure;

    /**
     * The writer of a replicated state as its builder describes it.
     *
     * @param b the builder (it has checked every option)
     * @param log the command log
     * @param compact whether the leader compacts the command log ({@code retainCommands})
     * @param election the election whose task {@link #lead} is, and through which it publishes
     * @param listeners the state's listeners, told of a command that does not decode
     * @param probe the state's probe, counting leaderships and batches
     */
    Writer(
            ReplicatedState.Builder<S, C> b,
            EventLog<byte[]> log,
            boolean compact,
            LeaderElection election,
            ListenerSet<StateListener<S>> listeners,
            Telemetry.Probe probe) {
        this.coordinator = b.coordinator;
        this.path = b.path;
        this.statePath = b.path + "/state";
        this.commandsPath = log.path();
        this.stateCodec = b.stateCodec;
        this.commandCodec = b.commandCodec;
        this.function = b.function;
        this.maxBatch = b.maxBatch;
        this.retainCommands = b.retainCommands;
        this.rejectionRetention = b.rejectionRetention;
        this.undecodablePolicy = b.undecodablePolicy;
        this.compact = compact;
        this.idleChecks = b.commandLog != null;
        this.initialPublished =
                new Published.PublishedCodec<>(b.stateCodec, statePath).encode(Published.initial(b.initial));
        this.log = log;
        this.election = election;
        this.listeners = listeners;
        this.probe = probe;
    }

    /** Why this node, as leader, stopped applying commands; null while all is well. */
    @Nullable
    StateSyncException failure() {
        return failure;
    }

    /** The leader's task: resume at the published position, apply, publish, until leadership ends. */
    void lead(Leadership leadership) throws InterruptedException {
        probe.count(Telemetry.Event.REPLICATED_LEADER);
        while (true) {
            try {
                applyLoop(leadership);
                return;
            } catch (VersionConflictException e) {
                // Our read of the state lagged behind a publication; read again (still guarded).
                LOG.info("{}: the published state moved under the leader; resuming from a fresh read", path);
            }
        }
    }

    private void applyLoop(Leadership leadership) throws InterruptedException {
        Versioned<byte[]> raw = readOrCreateStateUntilConnected();
        Published<S> published;
        try {
            Published.checkLayout(statePath, raw.value());
            published =
                    Codecs.decode(new Published.PublishedCodec<>(stateCodec), statePath, raw.version(), raw.value());
        } catch (DecodingException | IncompatibleLayoutException e) {
            halt(e);
            return;
        }
        int version = raw.version();
        S state = published.state;
        long next = published.next;
        NavigableMap<Long, String> rejections = new TreeMap<>(published.rejections);
        long outcomesFrom = published.outcomesFrom;
        long compactedBefore = 0;
        LOG.info("{}: leading (epoch 0x{}) from position {}", path, Long.toHexString(leadership.epoch()), next);

        LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        EventSubscription<byte[]> sub = log.subscription(next, UndecodablePolicy.SKIP);
        coordinator.internalRecipes().unlist(sub);
        sub.addListener(
                new StateListener<LogEvent<byte[]>>() {
                    @Override
                    public void onChange(StateChange<LogEvent<byte[]>> change) {
                        change.current().ifPresent(v -> inbox.add(v.value()));
                    }

                    @Override
                    public void onError(StateSyncException error) {
                        if (sub.failure().isPresent()) {
                            inbox.add(error);
                        }
                    }
                },
                Runnable::run);
        sub.start();
        try {
            while (true) {
                List<Object> taken = new ArrayList<>();
                // Interrupted when leadership ends (also on close), in either wait.
                Object first = idleChecks ? inbox.poll(IDLE_CHECK_NANOS, TimeUnit.NANOSECONDS) : inbox.take();
                long end;
                if (first == null) {
                    end = passedOver(sub, next);
                    if (end <= next) {
                        continue;
                    }
                } else {
                    taken.add(first);
                    inbox.drainTo(taken, maxBatch - 1);
                    end = next;
                }
                List<LogEvent<byte[]>> batch = new ArrayList<>(taken.size());
                for (Object o : taken) {
                    if (o instanceof StateSyncException error) {
                        throw error;
                    }
                    @SuppressWarnings("unchecked")
                    LogEvent<byte[]> event = (LogEvent<byte[]>) o;
                    batch.add(event);
                }
                Batch<S> result = apply(state, next, rejections, outcomesFrom, batch, end, leadership.epoch());
                if (result.next > next) {
                    try {
                        election.write(GuardedWrite.of().setData(statePath, result.encoded, version));
                    } catch (StateSyncException e) {
                        LOG.info(
                                "{}: publishing positions {} to {} was refused or lost ({}); this apply loop ends",
                                path,
                                next,
                                result.next - 1,
                                e.getMessage());
                        throw e;
                    }
                    version++;
                    probe.record(Telemetry.Event.BATCH, result.commands);
                    state = result.state;
                    next = result.next;
                    rejections = result.rejections;
                    outcomesFrom = result.outcomesFrom;
                    long keepFrom = next - retainCommands;
                    if (compact && keepFrom >= compactedBefore + COMPACT_STEP) {
                        try {
                            log.truncateBefore(keepFrom);
                            compactedBefore = keepFrom;
                        } catch (StateSyncException e) {
                            LOG.warn("{}: compacting the command log before {} failed; will retry", path, keepFrom, e);
                        }
                    }
                }
                if (result.stop != null) {
                    halt(result.stop);
                    return;
                }
            }
        } finally {
            sub.close();
        }
    }

    /**
     * Where the positions the subscription passed over without delivering end, when the leader is
     * idle at {@code next}: the subscription's position if the log holds no command from {@code
     * next} up to it, else the first command's position. The subscription moves its position before
     * it hands the events it read to the inbox, so its position alone does not tell; the log's own
     * read, which passes over the same records as every reader, does.
     */
    private long passedOver(EventSubscription<byte[]> sub, long next) throws InterruptedException {
        long reached = sub.position();
        if (reached <= next) {
            return next;
        }
        try {
            List<LogEvent<byte[]>> first = log.read(next, 1, coordinator.operationTimeout());
            return first.isEmpty() ? reached : Math.min(reached, first.get(0).position());
        } catch (StateSyncException e) {
            LOG.debug("{}: reading the command log at {} failed; will look again", path, next, e);
            return next;
        }
    }

    /** Stops applying until leadership ends; the error is reported. */
    private void halt(StateSyncException error) throws InterruptedException {
        failure = error;
        LOG.error("{}: the leader stops applying commands: {}", path, error.getMessage());
        new CountDownLatch(1).await(); // until leadership ends and the task is interrupted
    }

    /**
     * Reads the published state, creating it with the initial value if it does not exist. Each try
     * is one pass against the coordinator's operation timeout, every request through the one retry
     * loop; behind a dead connection a pass ends by that deadline and the leader waits for the
     * connection (its leadership's end interrupts the wait) before it tries again.
     */
    private Versioned<byte[]> readOrCreateStateUntilConnected() throws InterruptedException {
        while (true) {
            try {
                return readOrCreateState(coordinator.internalAccess().defaultDeadline());
            } catch (StateSyncException e) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("the leader of " + path + " stopped while reading its state");
                }
                switch (e.reason()) {
                    case TIMEOUT, CONNECTION_LOSS, SESSION_EXPIRED -> {
                        LOG.debug("{}: reading the published state failed; retrying once connected", path, e);
                        awaitConnection();
                    }
                    default -> throw e;
                }
            }
        }
    }

    /** Waits until the coordinator is connected; an interrupt (leadership ended) ends the wait. */
    private void awaitConnection() throws InterruptedException {
        while (true) {
            try {
                coordinator.awaitConnected(coordinator.operationTimeout());
                return;
            } catch (OperationTimeoutException e) {
                // still disconnected: wait on
            }
        }
    }

    private Versioned<byte[]> readOrCreateState(Deadline d) {
        String what = "read of the published state of " + path;
        ZkAccess access = coordinator.internalAccess();
        Optional<Versioned<byte[]>> raw =
                access.read(statePath, d, what, OperationTimeoutException.Outcome.NOT_APPLIED);
        if (raw.isEmpty()) {
            // Safe to repeat: an existing znode is taken as it is.
            access.createIfAbsent(
                    statePath,
                    initialPublished,
                    CreateMode.PERSISTENT,
                    d,
                    what,
                    OperationTimeoutException.Outcome.UNKNOWN);
            raw = access.read(statePath, d, what, OperationTimeoutException.Outcome.NOT_APPLIED);
        }
        return raw.orElseThrow(() -> new StateSyncException(
                StateSyncException.Reason.NO_NODE, statePath, "the published state vanished", null));
    }

    /** The outcome of applying one batch. */
    private static final class Batch<S> {
        final S state;
        final long next;
        final int commands;
        final NavigableMap<Long, String> rejections;
        final long outcomesFrom;
        final byte[] encoded;
        final @Nullable StateSyncException stop;

        Batch(
                S state,
                long next,
                int commands,
                NavigableMap<Long, String> rejections,
                long outcomesFrom,
                byte[] encoded,
                @Nullable StateSyncException stop) {
            this.state = state;
            this.next = next;
            this.commands = commands;
            this.rejections = rejections;
            this.outcomesFrom = outcomesFrom;
            this.encoded = encoded;
            this.stop = stop;
        }
    }

    /** A decoded command at its position, or why it cannot be applied. */
    private static final class Decoded<C> {
        final long position;
        final @Nullable C command;
        final @Nullable String rejection;

        Decoded(long position, @Nullable C command, @Nullable String rejection) {
            this.position = position;
            this.command = command;
            this.rejection = rejection;
        }
    }

    /** The outcomes being recorded for a batch: rejections by position, and where they start. */
    private final class Outcomes {
        final NavigableMap<Long, String> rejections;
        long from;

        Outcomes(NavigableMap<Long, String> rejections, long from) {
            this.rejections = new TreeMap<>(rejections);
            this.from = from;
        }

        void reject(long position, String why) {
            rejections.put(position, why);
            from = trim(rejections, from);
        }

        /** Records the positions from {@code from} to {@code to} as holding no command. */
        void skip(long fromPosition, long to) {
            long start = fromPosition;
            if (to - start > rejectionRetention) {
                // Only the newest are kept anyway: the outcomes before them are unknown from here.
                start = to - rejectionRetention;
                rejections.headMap(start, false).clear();
                from = Math.max(from, start);
            }
            for (long p = start; p < to; p++) {
                rejections.put(p, SKIPPED);
            }
            from = trim(rejections, from);
        }
    }

    /**
     * Applies a batch of commands to the state. The batch covers the positions from {@code next} to
     * {@code end} or past its last command, whichever is later (or up to a command at which an
     * undecodable command stops it); a position in it that holds no command is recorded as {@link
     * #SKIPPED}.
     */
    private Batch<S> apply(
            S state,
            long next,
            NavigableMap<Long, String> rejectionsBefore,
            long outcomesFromBefore,
            List<LogEvent<byte[]>> batch,
            long end,
            long epoch) {
        // Decode every command once (an undecodable one is reported once, even if the batch is redone).
        List<Decoded<C>> decoded = new ArrayList<>(batch.size());
        StateSyncException stop = null;
        long until = next;
        for (LogEvent<byte[]> event : batch) {
            long position = event.position();
            if (position < until) {
                throw new IllegalStateException(
                        "command log of " + path + " went back from " + until + " to " + position);
            }
            try {
                decoded.add(
                        new Decoded<>(position, Codecs.decode(commandCodec, commandsPath, -1, event.event()), null));
            } catch (DecodingException e) {
                CommandRejectedException error =
                        new CommandRejectedException(path, position, "does not decode: " + e.getMessage(), e);
                LOG.warn("{}", error.getMessage());
                listeners.publish(error, l -> l.onError(error));
                if (undecodablePolicy == UndecodablePolicy.STOP) {
                    stop = error;
                    until = position;
                    break;
                }
                decoded.add(new Decoded<>(position, null, Published.clip("does not decode: " + e.getCause())));
            }
            until = position + 1;
        }
        if (stop == null) {
            until = Math.max(until, end);
        }
        // Fast path: the whole batch, encoded once.
        Outcomes outcomes = new Outcomes(rejectionsBefore, outcomesFromBefore);
        S s = state;
        long n = next;
        for (Decoded<C> d : decoded) {
            outcomes.skip(n, d.position);
            Step<S> out = step(s, d);
            String why = out.rejection;
            if (out.state != null) {
                s = out.state;
            }
            if (why != null) {
                outcomes.reject(d.position, why);
            }
            n = d.position + 1;
        }
        outcomes.skip(n, until);
        int max = coordinator.maxValueBytes();
        byte[] encoded = null;
        try {
            encoded = Published.encode(until, epoch, outcomes.from, outcomes.rejections, stateCodec.encode(s));
        } catch (RuntimeException e) {
            LOG.warn("{}: the state after a batch does not encode; applying the batch command by command", path, e);
        }
        if (encoded != null && encoded.length <= max) {
            return new Batch<>(s, until, decoded.size(), outcomes.rejections, outcomes.from, encoded, stop);
        }
        // Slow path: one command at a time, rejecting each one that would make the state too large.
        outcomes = new Outcomes(rejectionsBefore, outcomesFromBefore);
        s = state;
        n = next;
        for (Decoded<C> d : decoded) {
            outcomes.skip(n, d.position);
            Step<S> out = step(s, d);
            String why = out.rejection;
            S candidate = out.state;
            if (candidate != null) {
                try {
                    int size = Published.encode(
                                    d.position + 1,
                                    epoch,
                                    outcomes.from,
                                    outcomes.rejections,
                                    stateCodec.encode(candidate))
                            .length;
                    if (size > max) {
                        why = "the state would publish as " + size + " bytes, over the coordinator's limit of " + max;
                    } else {
                        s = candidate;
                    }
                } catch (RuntimeException e) {
                    why = Published.clip("the state codec failed to encode the new state: " + e);
                }
            }
            if (why != null) {
                outcomes.reject(d.position, why);
            }
            n = d.position + 1;
        }
        outcomes.skip(n, until);
        encoded = Published.encode(until, epoch, outcomes.from, outcomes.rejections, stateCodec.encode(s));
        if (encoded.length > max) {
            throw new ValueTooLargeException(statePath, encoded.length, max);
        }
        return new Batch<>(s, until, decoded.size(), outcomes.rejections, outcomes.from, encoded, stop);
    }

    /** The new state, or why the function rejected the command. */
    private static final class Step<S> {
        final @Nullable S state;
        final @Nullable String rejection;

        Step(@Nullable S state, @Nullable String rejection) {
            this.state = state;
            this.rejection = rejection;
        }
    }

    /** The step of one decoded command: its rejection if it did not decode, else the function's. */
    private Step<S> step(S state, Decoded<C> d) {
        String rejection = d.rejection;
        return rejection != null ? new Step<>(null, rejection) : step(state, d.command);
    }

    private Step<S> step(S state, @Nullable C command) {
        if (command == null) {
            return new Step<>(null, "no command");
        }
        try {
            S out = function.apply(state, command);
            if (out == null) {
                return new Step<>(null, "the function returned null");
            }
            return new Step<>(out, null);
        } catch (RuntimeException e) {
            return new Step<>(null, Published.clip(e.toString()));
        }
    }

    /** Keeps the newest {@code rejectionRetention} rejections; returns the new outcomesFrom. */
    private long trim(NavigableMap<Long, String> rejections, long outcomesFrom) {
        long from = outcomesFrom;
        while (rejections.size() > rejectionRetention) {
            Long oldest = rejections.firstKey();
            rejections.remove(oldest);
            from = oldest + 1;
        }
        return from;
    }
}
