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

import io.statesync.core.Coordinator;
import io.statesync.core.HistoryTruncatedException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.OperationTimeoutException.Outcome;
import io.statesync.core.StateSyncException;
import io.statesync.core.ValueTooLargeException;
import io.statesync.core.internal.Deadline;
import io.statesync.recipes.internal.EventStorage;
import io.statesync.recipes.internal.StoredEvent;
import io.statesync.recipes.leader.LeaderElection;
import io.statesync.recipes.leader.Leadership;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event log's storage in one single-partition Kafka topic: positions are the partition's
 * offsets. Appends go through an idempotent producer, each record stamped with the writer id, the
 * append's sequence and the event's index ({@link Headers}); every reader applies the same {@link
 * ReadFilter}, so a retried append is applied once and a deposed leader's append not at all.
 * Snapshots of an event-sourced state stay in ZooKeeper, under the log's path. Thread-safe.
 */
final class KafkaStorage implements EventStorage {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaStorage.class);

    private final Coordinator coordinator;
    private final String path;
    private final String topic;
    private final TopicPartition partition;
    private final Map<String, Object> clientProperties;
    private final Duration appendTimeout;
    private final long window;
    private final short replicationFactor;
    private final String writerId;
    private final @Nullable LeaderElection fence;
    private final int maxRequestBytes;
    private final AtomicLong sequence = new AtomicLong();

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private @Nullable Admin admin;
    /** Guarded by {@link #lock}. */
    private @Nullable KafkaProducer<byte[], byte[]> producer;
    /** Guarded by {@link #lock}. */
    private boolean topicReady;
    /** Guarded by {@link #lock}. */
    private boolean closed;
    /**
     * Held while one append adds its records and flushes them, so that they make one batch of their
     * own; waited for against the append's deadline.
     */
    private final ReentrantLock sendLock = new ReentrantLock();
    /** Closes a producer whose flush outlives its append's deadline. */
    private final ScheduledExecutorService watchdog;
    /** The consumer of {@link #read}; guarded by itself. */
    private final Object readLock = new Object();
    /** Guarded by {@link #readLock}. */
    private @Nullable KafkaConsumer<byte[], byte[]> readConsumer;
    /** Guarded by {@link #readLock}: the filter of the last read, which has seen the records before {@link #cachedNext}. */
    private @Nullable ReadFilter cachedFilter;
    /** Guarded by {@link #readLock}. */
    private long cachedNext = -1;

    KafkaStorage(
            Coordinator coordinator,
            String path,
            String topic,
            Map<String, Object> clientProperties,
            Duration appendTimeout,
            long window,
            short replicationFactor,
            String writerId,
            @Nullable LeaderElection fence) {
        this.coordinator = coordinator;
        this.path = path;
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
        this.clientProperties = Map.copyOf(clientProperties);
        this.appendTimeout = appendTimeout;
        this.window = window;
        this.replicationFactor = replicationFactor;
        this.writerId = writerId;
        this.fence = fence;
        Object max = clientProperties.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(
                task -> coordinator.internalAccess().newThread("statesync-kafka-watchdog " + path, task));
        this.maxRequestBytes = max == null ? 1_048_576 : Integer.parseInt(max.toString());
    }

    String topic() {
        return topic;
    }

    String writerId() {
        return writerId;
    }

    /** The next sequence of this log's own appends. */
    long nextSequence() {
        return sequence.incrementAndGet();
    }

    long window() {
        return window;
    }

    TopicPartition partition() {
        return partition;
    }

    // ---------------------------------------------------------------- clients

    private Map<String, Object> common(String role) {
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "statesync-" + role + "-" + topic);
        return p;
    }

    KafkaConsumer<byte[], byte[]> newConsumer(String role) {
        Map<String, Object> p = common(role);
        p.keySet().removeIf(k -> k.startsWith("producer.") || k.equals(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(p);
    }

    private KafkaProducer<byte[], byte[]> newProducer() {
        Map<String, Object> p = common("producer");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        int appendMillis = (int) Math.min(Integer.MAX_VALUE, appendTimeout.toMillis());
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, appendMillis);
        // A send that cannot be delivered fails within the append's time, so the append can send it
        // again (a new producer, the same stamp) before its deadline.
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(2, Math.min(120_000, appendMillis)));
        long delivery =
                Long.parseLong(p.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG).toString());
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, Math.min(30_000, delivery / 2)));
        long request =
                Long.parseLong(p.get(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG).toString());
        // A batch is sent when an append flushes it and holds that whole append: it never fills up
        // first (an append is checked against max.request.size) and lingers as long as the
        // delivery timeout allows (Kafka requires delivery >= linger + request), far longer than
        // adding one append's records takes.
        p.put(ProducerConfig.LINGER_MS_CONFIG, Math.max(0, delivery - request));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, maxRequestBytes);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return new KafkaProducer<>(p);
    }

    private Admin admin() {
        synchronized (lock) {
            requireOpen();
            Admin a = admin;
            if (a == null) {
                a = Admin.create(common("admin"));
                admin = a;
            }
            return a;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("event log " + path + " on topic " + topic + " is closed");
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        synchronized (lock) {
            requireOpen();
            KafkaProducer<byte[], byte[]> p = producer;
            if (p == null) {
                p = newProducer();
                producer = p;
            }
            return p;
        }
    }

    /** Closes a producer whose send failed with an unknown outcome; the next append gets a new one. */
    private void replaceProducer(KafkaProducer<byte[], byte[]> failed) {
        synchronized (lock) {
            if (producer == failed) {
                producer = null;
            }
        }
        failed.close(Duration.ZERO);
    }

    /** Creates the topic (one partition) unless it exists; refuses a topic of several partitions. */
    void ensureTopic(Deadline d) throws InterruptedException {
        synchronized (lock) {
            if (topicReady) {
                return;
            }
        }
        String what = "creation of topic " + topic + " for event log " + path;
        Admin a = admin();
        TopicDescription description = null;
        try {
            description = a.describeTopics(Set.of(topic))
                    .allTopicNames()
                    .get(remainingMillis(d), TimeUnit.MILLISECONDS)
                    .get(topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw translate(e.getCause(), what, Outcome.NOT_APPLIED);
            }
        } catch (TimeoutException e) {
            throw d.expired(path, what, Outcome.NOT_APPLIED);
        }
        if (description == null) {
            try {
                a.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.of(replicationFactor))))
                        .all()
                        .get(remainingMillis(d), TimeUnit.MILLISECONDS);
                LOG.info("created topic {} (one partition) for event log {}", topic, path);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw translate(e.getCause(), what, Outcome.UNKNOWN);
                }
            } catch (TimeoutException e) {
                throw d.expired(path, what, Outcome.UNKNOWN);
            }
        } else if (description.partitions().size() != 1) {
            throw new IllegalStateException("topic " + topic + " of event log " + path + " has "
                    + description.partitions().size()
                    + " partitions; an event log needs exactly one (one total order)");
        }
        synchronized (lock) {
            topicReady = true;
        }
    }

    private static long remainingMillis(Deadline d) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(d.remainingNanos()));
    }

    private StateSyncException translate(@Nullable Throwable cause, String what, Outcome outcome) {
        if (cause instanceof StateSyncException sse) {
            return sse;
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new OperationTimeoutException(
                    path, what + " timed out in the Kafka client: " + cause, outcome, cause);
        }
        return new StateSyncException(StateSyncException.Reason.OTHER, path, what + " failed: " + cause, cause);
    }

    // ---------------------------------------------------------------- EventStorage

    @Override
    public String path() {
        return path;
    }

    @Override
    public Coordinator coordinator() {
        return coordinator;
    }

    @Override
    public Duration appendTimeout() {
        return appendTimeout;
    }

    @Override
    public String snapshotsPath() {
        return path + "/snapshots";
    }

    @Override
    public long append(List<byte[]> encoded, Deadline d) throws InterruptedException {
        long epoch = -1;
        LeaderElection election = fence;
        if (election != null) {
            Optional<Leadership> l = election.leadership();
            if (l.isEmpty() || !l.get().isSelf()) {
                throw new StateSyncException(
                        StateSyncException.Reason.NOT_LEADER,
                        path,
                        "append to " + path + " refused: this node does not lead election "
                                + election.participantId() + " (leader: "
                                + l.map(Leadership::leaderId).orElse("none")
                                + ")",
                        null);
            }
            epoch = l.get().epoch();
        }
        return append(writerId, nextSequence(), epoch, encoded, d);
    }

    /**
     * Appends events stamped with a writer id, a sequence and an epoch (-1: none). An attempt whose
     * outcome is unknown is sent again with a new producer and the same stamp, until the deadline:
     * every reader applies the first copy that landed and skips the others.
     */
    long append(String writer, long seq, long epoch, List<byte[]> encoded, Deadline d) throws InterruptedException {
        // One append is one producer batch (one request): the whole of it must fit.
        long size = Headers.BATCH_OVERHEAD_BYTES;
        for (byte[] e : encoded) {
            size += (long) e.length + Headers.MAX_OVERHEAD_BYTES;
        }
        if (size > maxRequestBytes) {
            throw new ValueTooLargeException(path, (int) Math.min(Integer.MAX_VALUE, size), maxRequestBytes);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("append to " + path + " not started: the thread was interrupted");
        }
        ensureTopic(d);
        String what = "append to " + path + " (topic " + topic + "; if it landed, it carries writer " + writer
                + " sequence " + seq + ")";
        boolean sent = false;
        int attempt = 0;
        while (true) {
            KafkaProducer<byte[], byte[]> p = producer();
            List<Future<RecordMetadata>> futures = new ArrayList<>(encoded.size());
            try {
                // The producer lingers until flushed, so the records added here, and only they, make
                // one batch: the broker appends it whole, at consecutive offsets, or not at all.
                if (!sendLock.tryLock(d.remainingNanos(), TimeUnit.NANOSECONDS)) {
                    throw d.expired(path, what, sent ? Outcome.UNKNOWN : Outcome.NOT_APPLIED);
                }
                try {
                    for (int i = 0; i < encoded.size(); i++) {
                        futures.add(p.send(new ProducerRecord<>(
                                topic, 0, null, null, encoded.get(i), Headers.of(writer, seq, i, epoch))));
                    }
                    // flush() has no timeout of its own (it waits, e.g., while the producer cannot get
                    // its producer id from a broker that is away): bounded here by closing the
                    // producer at the deadline, which fails what it holds (the outcome stays unknown).
                    ScheduledFuture<?> guard = watchdog.schedule(
                            () -> p.close(Duration.ZERO), Math.max(1, d.remainingNanos()), TimeUnit.NANOSECONDS);
                    try {
                        p.flush();
                    } finally {
                        guard.cancel(false);
                    }
                } finally {
                    sendLock.unlock();
                }
            } catch (KafkaException | IllegalStateException e) {
                if (e.getCause() instanceof RecordTooLargeException) {
                    throw new ValueTooLargeException(path, -1, maxRequestBytes, "append to " + path + ": " + e);
                }
                // send() failed before handing a record over (no metadata within max.block.ms, or
                // the producer was closed under it): sent again below with a new producer.
                LOG.debug("{}: send failed: {}", what, e.toString());
            }
            sent = sent || !futures.isEmpty();
            long first = -1;
            Throwable failure = null;
            try {
                for (Future<RecordMetadata> f : futures) {
                    RecordMetadata m = f.get(remainingMillis(d), TimeUnit.MILLISECONDS);
                    if (first < 0) {
                        first = m.offset();
                    }
                }
                if (futures.size() == encoded.size()) {
                    return first;
                }
            } catch (ExecutionException e) {
                failure = e.getCause();
                if (failure instanceof RecordTooLargeException && !sent) {
                    throw new ValueTooLargeException(path, -1, maxRequestBytes, "append to " + path + ": " + failure);
                }
            } catch (TimeoutException e) {
                throw d.expired(path, what, Outcome.UNKNOWN);
            } catch (InterruptedException e) {
                throw Deadline.interrupted(path, what, Outcome.UNKNOWN);
            }
            // The outcome is unknown: a new producer sends the same stamp again (readers skip a copy).
            attempt++;
            LOG.warn(
                    "{}: attempt {} failed ({}); sending it again with a new producer",
                    what,
                    attempt,
                    String.valueOf(failure));
            replaceProducer(p);
            long backoff = Math.min(1_000, 50L << Math.min(attempt, 5));
            if (d.remainingNanos() <= TimeUnit.MILLISECONDS.toNanos(backoff)
                    || !d.sleep(TimeUnit.MILLISECONDS.toNanos(backoff))) {
                throw d.expired(path, what, sent ? Outcome.UNKNOWN : Outcome.NOT_APPLIED);
            }
        }
    }

    @Override
    public List<StoredEvent> read(long from, int max, Deadline d) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("read of " + path + " not started: the thread was interrupted");
        }
        ensureTopic(d);
        String what = "read of event log " + path + " (topic " + topic + ") from position " + from;
        synchronized (readLock) {
            KafkaConsumer<byte[], byte[]> c = readConsumer;
            if (c == null) {
                synchronized (lock) {
                    requireOpen();
                }
                c = newConsumer("reader");
                c.assign(List.of(partition));
                readConsumer = c;
            }
            try {
                long earliest = offsetOf(c.beginningOffsets(List.of(partition), left(d)));
                long end = offsetOf(c.endOffsets(List.of(partition), left(d)));
                if (from < earliest) {
                    throw new HistoryTruncatedException(path, from, earliest);
                }
                List<StoredEvent> out = new ArrayList<>();
                if (from >= end) {
                    return out;
                }
                // A read that goes on where the last one ended (paging) reuses its filter instead of
                // reading the window before it again.
                ReadFilter filter = cachedFilter;
                long next;
                if (filter != null && from == cachedNext) {
                    next = from;
                } else {
                    filter = new ReadFilter(window);
                    next = Math.max(earliest, from - window);
                }
                cachedFilter = null;
                c.seek(partition, next);
                while (next < end && out.size() < max) {
                    if (d.passed()) {
                        throw d.expired(path, what, Outcome.NOT_APPLIED);
                    }
                    ConsumerRecords<byte[], byte[]> records =
                            c.poll(Duration.ofMillis(Math.min(200, remainingMillis(d))));
                    for (ConsumerRecord<byte[], byte[]> r : records.records(partition)) {
                        if (out.size() >= max) {
                            break; // the filter has seen exactly the records before next
                        }
                        next = r.offset() + 1;
                        ReadFilter.Verdict v = filter.accept(r.offset(), Headers.Stamp.of(r.headers()));
                        if (r.offset() >= from && v == ReadFilter.Verdict.EVENT) {
                            out.add(event(r));
                        }
                    }
                    if (records.isEmpty()) {
                        next = Math.max(next, c.position(partition, left(d)));
                    }
                }
                cachedFilter = filter;
                cachedNext = next;
                return out;
            } catch (org.apache.kafka.clients.consumer.OffsetOutOfRangeException e) {
                long earliest = offsetOf(c.beginningOffsets(List.of(partition), left(d)));
                throw new HistoryTruncatedException(path, from, earliest);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new OperationTimeoutException(
                        path, what + " did not complete within " + d.timeout(), Outcome.NOT_APPLIED, e);
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                Thread.interrupted();
                throw Deadline.interrupted(path, what, Outcome.NOT_APPLIED);
            } catch (KafkaException e) {
                throw translate(e, what, Outcome.NOT_APPLIED);
            }
        }
    }

    private long offsetOf(Map<TopicPartition, Long> offsets) {
        Long o = offsets.get(partition);
        if (o == null) {
            throw new StateSyncException(
                    StateSyncException.Reason.OTHER,
                    path,
                    "no offset of " + partition + " in the broker's answer",
                    null);
        }
        return o;
    }

    static StoredEvent event(ConsumerRecord<byte[], byte[]> r) {
        byte[] value = r.value();
        return new StoredEvent(
                r.offset(),
                value == null ? new byte[0] : value,
                r.topic() + "-" + r.partition() + "@" + r.offset(),
                0,
                0);
    }

    private static Duration left(Deadline d) {
        return Duration.ofNanos(Math.max(1, d.remainingNanos()));
    }

    @Override
    public long endPosition(Deadline d) throws InterruptedException {
        return offsets(d, true);
    }

    @Override
    public long earliestPosition(Deadline d) throws InterruptedException {
        return offsets(d, false);
    }

    private long offsets(Deadline d, boolean end) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("read of " + path + " not started: the thread was interrupted");
        }
        ensureTopic(d);
        String what =
                "read of the " + (end ? "end" : "retention point") + " of event log " + path + " (topic " + topic + ")";
        try {
            var spec = end
                    ? org.apache.kafka.clients.admin.OffsetSpec.latest()
                    : org.apache.kafka.clients.admin.OffsetSpec.earliest();
            return admin().listOffsets(Map.of(partition, spec))
                    .partitionResult(partition)
                    .get(remainingMillis(d), TimeUnit.MILLISECONDS)
                    .offset();
        } catch (ExecutionException e) {
            throw translate(e.getCause(), what, Outcome.NOT_APPLIED);
        } catch (TimeoutException e) {
            throw d.expired(path, what, Outcome.NOT_APPLIED);
        }
    }

    @Override
    public void truncateBefore(long position, Deadline d) throws InterruptedException {
        long end = endPosition(d);
        if (position > end) {
            throw new IllegalArgumentException(
                    "cannot truncate " + path + " before position " + position + ": the log ends at " + end);
        }
        if (position <= earliestPosition(d)) {
            return;
        }
        String what = "truncation of event log " + path + " (topic " + topic + ") before position " + position;
        try {
            admin().deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(position)))
                    .all()
                    .get(remainingMillis(d), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw translate(e.getCause(), what, Outcome.UNKNOWN);
        } catch (TimeoutException e) {
            throw d.expired(path, what, Outcome.UNKNOWN);
        }
    }

    @Override
    public EventStorage.Reader reader(EventStorage.Handler handler, String threadName) {
        return new TopicReader(this, handler, threadName);
    }

    @Override
    public void close() {
        Admin a;
        KafkaProducer<byte[], byte[]> p;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            a = admin;
            p = producer;
            admin = null;
            producer = null;
        }
        watchdog.shutdownNow();
        if (p != null) {
            p.close(Duration.ofSeconds(1));
        }
        if (a != null) {
            a.close(Duration.ofSeconds(1));
        }
        synchronized (readLock) {
            KafkaConsumer<byte[], byte[]> c = readConsumer;
            readConsumer = null;
            if (c != null) {
                c.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(1)));
            }
        }
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** A fresh writer id: a random UUID. */
    static String randomWriterId() {
        return UUID.randomUUID().toString();
    }
}
