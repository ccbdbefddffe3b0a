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

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.BuilderOptions;
import io.statesync.core.internal.Deadline;
import io.statesync.core.internal.ZPaths;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.internal.EventStorage;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.leader.Leadership;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.CommonClientConfigs;
import org.jspecify.annotations.Nullable;

/**
 * An {@link EventLog} whose events are stored in an Apache Kafka topic, coordinated by ZooKeeper.
 * {@link #log()} is a plain {@code EventLog}: append, read, subscribe, truncate, and build an
 * {@link io.statesync.recipes.eventlog.EventSourcedState} on it, with snapshots in ZooKeeper under
 * the log's path.
 *
 * <pre>{@code
 * try (KafkaEventLog<Transfer> kafka = KafkaEventLog.builder(coordinator, "/ledger", Codec.json(Transfer.class))
 *         .bootstrapServers("kafka-1:9092,kafka-2:9092")
 *         .build()) {
 *     EventLog<Transfer> log = kafka.log();
 *     log.start();
 *     long position = log.append(transfer);
 * }
 * }</pre>
 *
 * <p><b>Storage.</b> One topic per log with exactly one partition (one total order); a position is
 * the record's offset. The topic is created on first use with one partition and the builder's
 * replication factor; a topic that exists with several partitions is refused. Retention is the
 * topic's own ({@code retention.ms}, {@code retention.bytes}) or {@link EventLog#truncateBefore}
 * (the admin client's {@code deleteRecords}); a reader whose position was deleted gets {@link
 * io.statesync.core.HistoryTruncatedException}, as on ZooKeeper.
 *
 * <p><b>Exactly once.</b> Appends go through an idempotent producer ({@code acks=all}), so the
 * client's own retries never duplicate a record. Every record also carries the writer id, the
 * append's sequence and the event's index in its headers; an append whose outcome was unknown (a
 * failed send) is sent again by a new producer with the same stamp, and {@link #appendOnce} lets
 * a restarted process send an append again under the id and sequence it used before. Every reader
 * applies the same rule: a record whose stamp appears among the {@link Builder#dedupeWindow(int)}
 * records before it is a duplicate and is skipped. A reader that starts at a position reads the
 * window before it first, so every reader, from whatever position, skips the same records.
 *
 * <p><b>Leaders.</b> {@link #appendAsLeader} and the log of a {@link Builder#fencedBy(LeaderElection)}
 * builder stamp each record with the leadership epoch of statesync's ZooKeeper election; every
 * reader ignores a record whose epoch is lower than one among the window of records before it, so
 * a deposed leader's late append is never applied once its successor has appended.
 *
 * <p><b>Differences from the ZooKeeper log.</b> Positions increase but may have gaps (a skipped
 * duplicate or fenced record keeps its offset); {@link EventLog#appendAll} gives consecutive
 * offsets to one producer's records but is not all-or-none when the producer fails mid-batch (the
 * retry completes it, each event applied once); {@code LogEvent.zxid()} is 0.
 *
 * <p><b>Threading.</b> Thread-safe.
 *
 * @param <E> the event type
 */
public final class KafkaEventLog<E> implements AutoCloseable {
    private final KafkaStorage storage;
    private final EventLog<E> log;

    private KafkaEventLog(KafkaStorage storage, EventLog<E> log) {
        this.storage = storage;
        this.log = log;
    }

    /**
     * Starts building a Kafka event log.
     *
     * @param coordinator the ZooKeeper connection: the log's snapshots, elections and fencing live there
     * @param path the log's path in the coordinator's namespace, e.g. {@code /ledger}: its name, and
     *     the parent of its snapshots
     * @param codec encodes and decodes events
     * @param <E> the event type
     * @return a builder
     */
    public static <E> Builder<E> builder(Coordinator coordinator, String path, Codec<E> codec) {
        return new Builder<>(coordinator, path, codec);
    }

    /**
     * The event log (LATENT until its {@code start()}): everything {@link EventLog} offers, on the
     * topic.
     *
     * @return the log
     */
    public EventLog<E> log() {
        return log;
    }

    /**
     * The topic holding the events.
     *
     * @return the topic's name
     */
    public String topic() {
        return storage.topic();
    }

    /**
     * The writer id stamped on this log's own appends (the builder's, or a random UUID).
     *
     * @return the writer id
     */
    public String writerId() {
        return storage.writerId();
    }

    /**
     * Appends events under a writer id and sequence of the caller's, so that sending the same append
     * again (after an unknown outcome, from a new producer or a restarted process) is applied once:
     * every reader skips a record whose writer id, sequence and index it has seen within the dedupe
     * window before it. Use ids and sequences the log's own appends do not use (not {@link
     * #writerId()}).
     *
     * @param writerId the writer's stable id, e.g. the outbox's name
     * @param sequence the append's number for that writer, 0 or more
     * @param events the events, at least one
     * @param timeout how long the whole call may take
     * @return the offset of the first event of this copy of the append; if an earlier copy landed,
     *     readers apply that one and pass over this one
     * @throws InterruptedException if interrupted before anything was sent
     * @throws io.statesync.core.ValueTooLargeException if an event does not fit a request ({@code
     *     max.request.size}, with the headers); nothing was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed or the thread was
     *     interrupted once sending: outcome {@code UNKNOWN} (send it again with the same id and
     *     sequence), or {@code NOT_APPLIED} if nothing was sent
     * @throws StateSyncException if the Kafka client failed otherwise (reason {@code OTHER})
     * @throws IllegalArgumentException if {@code events} is empty, {@code sequence} negative or
     *     {@code timeout} negative
     * @throws IllegalStateException if the log is not started, or closed
     */
    public long appendOnce(String writerId, long sequence, List<? extends E> events, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(writerId, "writerId");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
        return send(writerId, sequence, -1, events, timeout);
    }

    /**
     * Appends events as the leader of an election: each record carries the leadership's epoch, and
     * every reader ignores it if a record with a higher epoch is among the dedupe window before it.
     * A leader that was deposed after it read its {@link Leadership} can still send, but its append
     * is then never applied once its successor has appended.
     *
     * @param leadership this node's leadership, from {@link LeaderElection#leadership()} or its task
     * @param events the events, at least one
     * @param timeout how long the whole call may take
     * @return the offset of the first event
     * @throws InterruptedException if interrupted before anything was sent
     * @throws StateSyncException with reason {@code NOT_LEADER} if {@code leadership} is not this
     *     node's ({@link Leadership#isSelf()} is false); nothing was sent
     * @throws io.statesync.core.ValueTooLargeException if an event does not fit a request; nothing
     *     was sent
     * @throws io.statesync.core.OperationTimeoutException as for {@link #appendOnce}
     * @throws IllegalArgumentException if {@code events} is empty or {@code timeout} negative
     * @throws IllegalStateException if the log is not started, or closed
     */
    public long appendAsLeader(Leadership leadership, List<? extends E> events, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(leadership, "leadership");
        if (!leadership.isSelf()) {
            throw new StateSyncException(
                    StateSyncException.Reason.NOT_LEADER,
                    log.path(),
                    "append to " + log.path() + " refused: " + leadership + " is not this node's leadership",
                    null);
        }
        return send(storage.writerId(), storage.nextSequence(), leadership.epoch(), events, timeout);
    }

    private long send(String writer, long sequence, long epoch, List<? extends E> events, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(events, "events");
        Deadline d = storage.coordinator().internalAccess().deadline(Deadline.checkTimeout(timeout, "timeout"));
        if (events.isEmpty()) {
            throw new IllegalArgumentException("an append needs at least one event");
        }
        if (!log.state().equals(io.statesync.core.LifecycleState.STARTED)) {
            throw new IllegalStateException("event log " + log.path() + " is " + log.state());
        }
        List<byte[]> encoded = new ArrayList<>(events.size());
        for (E e : events) {
            encoded.add(log.codec().encode(Objects.requireNonNull(e, "events contains null")));
        }
        return storage.append(writer, sequence, epoch, encoded, d);
    }

    /** Closes the log, its subscriptions and the Kafka clients. */
    @Override
    public void close() {
        log.close();
        storage.close();
    }

    @Override
    public String toString() {
        return "KafkaEventLog{" + log.path() + " on topic " + storage.topic() + ", " + log.state() + '}';
    }

    /**
     * Builds a {@link KafkaEventLog}. Each option may be set once.
     *
     * @param <E> the event type
     */
    public static final class Builder<E> {
        private final Coordinator coordinator;
        private final String path;
        private final Codec<E> codec;
        private final BuilderOptions options = new BuilderOptions();
        private final Map<String, Object> clientProperties = new HashMap<>();
        private @Nullable String topic;
        private short replicationFactor = -1;
        private Duration appendTimeout = Duration.ofSeconds(60);
        private int dedupeWindow = 100_000;
        private @Nullable String writerId;
        private @Nullable LeaderElection fence;

        private Builder(Coordinator coordinator, String path, Codec<E> codec) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
            this.path = Objects.requireNonNull(path, "path");
            this.codec = Objects.requireNonNull(codec, "codec");
        }

        /**
         * The Kafka cluster to use ({@code bootstrap.servers}). Required, unless set through {@link
         * #clientProperties(Map)}.
         *
         * @param servers {@code host:port} pairs, comma-separated
         * @return this builder
         */
        public Builder<E> bootstrapServers(String servers) {
            options.once("bootstrapServers");
            clientProperties.put(
                    CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(servers, "servers"));
            return this;
        }

        /**
         * Properties for every Kafka client of the log (security, timeouts; {@code max.request.size}
         * bounds an event). The log sets its own serializers, {@code enable.idempotence=true}, {@code
         * acks=all}, and turns off consumer groups and committed offsets.
         *
         * @param properties Kafka client properties
         * @return this builder
         */
        public Builder<E> clientProperties(Map<String, ?> properties) {
            options.once("clientProperties");
            clientProperties.putAll(Objects.requireNonNull(properties, "properties"));
            return this;
        }

        /**
         * The topic (default: {@code statesync} followed by the path with {@code /} as {@code .},
         * e.g. {@code statesync.ledger} for {@code /ledger}).
         *
         * @param name a Kafka topic name
         * @return this builder
         */
        public Builder<E> topic(String name) {
            options.once("topic");
            this.topic = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The replication factor of the topic if the log creates it (default: the broker's {@code
         * default.replication.factor}).
         *
         * @param factor 1 or more
         * @return this builder
         */
        public Builder<E> replicationFactor(int factor) {
            options.once("replicationFactor");
            if (factor < 1 || factor > Short.MAX_VALUE) {
                throw new IllegalArgumentException("replicationFactor must be 1 or more, was " + factor);
            }
            this.replicationFactor = (short) factor;
            return this;
        }

        /**
         * How long an append without a timeout of its own may take (default 60 s), sending again
         * with a new producer after a failure.
         *
         * @param timeout a positive duration
         * @return this builder
         */
        public Builder<E> appendTimeout(Duration timeout) {
            options.once("appendTimeout");
            this.appendTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * How many records before a record every reader looks at to recognise it as a duplicate or
         * a deposed leader's (default 100,000). A reader starting at position {@code p} reads the
         * records from {@code p - window} first. A copy of an append that lands more than this many
         * records after the first would be applied again; every reader of the log must use the same
         * window.
         *
         * @param records 1 or more
         * @return this builder
         */
        public Builder<E> dedupeWindow(int records) {
            options.once("dedupeWindow");
            if (records < 1) {
                throw new IllegalArgumentException("dedupeWindow must be 1 or more, was " + records);
            }
            this.dedupeWindow = records;
            return this;
        }

        /**
         * The writer id stamped on this log's appends (default: a random UUID per log instance).
         *
         * @param id a stable id
         * @return this builder
         */
        public Builder<E> writerId(String id) {
            options.once("writerId");
            this.writerId = Objects.requireNonNull(id, "id");
            return this;
        }

        /**
         * Guards every append of {@link #log()} with a leader election: an append is sent only while
         * this node leads, stamped with its leadership epoch, and refused with {@code NOT_LEADER}
         * otherwise; readers ignore an append whose epoch is lower than one before it.
         *
         * @param election this node's election
         * @return this builder
         */
        public Builder<E> fencedBy(LeaderElection election) {
            options.once("fencedBy");
            this.fence = Objects.requireNonNull(election, "election");
            return this;
        }

        /**
         * Builds the log. Nothing is sent until the first operation after {@code log().start()}.
         *
         * @return the log
         * @throws IllegalArgumentException naming an invalid path or option, or if no bootstrap
         *     servers were given
         */
        public KafkaEventLog<E> build() {
            ZPaths.validate(path);
            if (path.equals("/")) {
                throw new IllegalArgumentException("invalid path \"/\": an event log needs its own znode");
            }
            if (!clientProperties.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalArgumentException("a Kafka event log needs bootstrapServers(...) for " + path);
            }
            if (appendTimeout.isNegative() || appendTimeout.isZero()) {
                throw new IllegalArgumentException("appendTimeout must be positive, was " + appendTimeout);
            }
            String t = topic != null ? topic : "statesync" + path.replace('/', '.');
            String w = writerId != null ? writerId : KafkaStorage.randomWriterId();
            KafkaStorage storage = new KafkaStorage(
                    coordinator, path, t, clientProperties, appendTimeout, dedupeWindow, replicationFactor, w, fence);
            return new KafkaEventLog<>(storage, EventStorage.newLog(codec, storage));
        }
    }
}
