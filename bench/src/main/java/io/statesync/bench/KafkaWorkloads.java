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
package io.statesync.bench;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.kafka.KafkaEventLog;
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSourcedState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/**
 * The event log on a Kafka topic ({@link KafkaEventLog}) beside the ZooKeeper event log: single and
 * batched appends and a replay into state, each with the raw Kafka client writing the same records
 * as the reference and statesync's ZooKeeper log as a second figure; and, on request only ({@code
 * --only kafka-history}), a history larger than a ZooKeeper server's heap.
 *
 * <p>The broker of the first three runs in its own JVM ({@link KafkaProcess}, 1 GiB heap), started
 * on first use and shared by them (a start takes 10 to 20 s on the 2-core machine); the history run
 * starts its own. Full mode only: the broker's start alone is past quick mode's budget.
 */
final class KafkaWorkloads {
    static final int EVENT_BYTES = EventLogWorkloads.EVENT_BYTES;
    static final int BATCH = EventLogWorkloads.PACKED_BATCH;

    /** The events of the replay comparison, written in appendAll of {@link #BATCH}. */
    static final int REPLAY_EVENTS = 1_000_000;

    /** The heap of every broker and of the ZooKeeper server of the history run. */
    static final String SERVER_HEAP = "1g";

    /** The history run's events on Kafka; {@code -Dstatesync.bench.kafkaHistoryEvents=N} to change. */
    static final long HISTORY_EVENTS = Long.getLong("statesync.bench.kafkaHistoryEvents", 50_000_000L);

    /**
     * How long the history run may append on Kafka ({@code -Dstatesync.bench.kafkaHistoryAppendMinutes=M}):
     * it stops at {@link #HISTORY_EVENTS} or when this time is up, and replays what it stored.
     */
    static final long HISTORY_APPEND_MINUTES = Long.getLong("statesync.bench.kafkaHistoryAppendMinutes", 6L);

    /** Where the history run on ZooKeeper gives up if appends have not failed. */
    static final long ZK_HISTORY_CAP = 60_000_000L;

    static final String KAFKA_LOG = "statesync, Kafka log";
    static final String ZK_LOG = "statesync, ZooKeeper log (second figure)";

    private static @Nullable KafkaProcess shared;

    private KafkaWorkloads() {}

    /** The comparisons of a default run (none in quick mode); {@link #history(boolean)} runs on request. */
    static List<Comparison> all(boolean quick) {
        if (quick) {
            return List.of();
        }
        return List.of(
                new Comparison(
                        "kafka-append",
                        "event log on Kafka: single append (64 B, one caller)",
                        "appends/s",
                        true,
                        "",
                        List.of(
                                Comparison.variant(KAFKA_LOG, KafkaWorkloads::kafkaSingleAppend),
                                Comparison.variant(
                                        "raw Kafka producer, same records (idempotent, acks=all, one send and flush per"
                                                + " append; like for like)",
                                        KafkaWorkloads::rawSingleAppend),
                                Comparison.secondFigure(ZK_LOG, EventLogWorkloads::singleAppend))),
                new Comparison(
                        "kafka-bulk",
                        "event log on Kafka: appendAll of " + BATCH + " events (64 B, one caller)",
                        "events/s",
                        true,
                        "",
                        List.of(
                                Comparison.variant(KAFKA_LOG, KafkaWorkloads::kafkaBulkAppend),
                                Comparison.variant(
                                        "raw Kafka producer, same records (" + BATCH + " sends and one flush per"
                                                + " batch; like for like)",
                                        KafkaWorkloads::rawBulkAppend),
                                Comparison.secondFigure(ZK_LOG, EventLogWorkloads::bulkAppend))),
                new Comparison(
                        "kafka-replay",
                        "event log on Kafka: replay " + REPLAY_EVENTS + " events into state on a fresh reader"
                                + " (written in batches of " + BATCH + ")",
                        "events/s",
                        true,
                        "",
                        List.of(
                                Comparison.variant(KAFKA_LOG, ctx -> kafkaReplay(ctx, REPLAY_EVENTS)),
                                Comparison.unlike(
                                        "raw Kafka consumer, same records, no duplicate check (limit, not like for"
                                                + " like)",
                                        ctx -> rawReplay(ctx, REPLAY_EVENTS)),
                                Comparison.secondFigure(ZK_LOG, ctx -> zooKeeperReplay(ctx, REPLAY_EVENTS)))));
    }

    /** The history larger than a ZooKeeper server's heap: run only when named ({@code --only kafka-history}). */
    static List<Comparison> history(boolean quick) {
        if (quick) {
            return List.of();
        }
        return List.of(new Comparison(
                        "kafka-history",
                        "event log: a history past a ZooKeeper server's heap (64 B events, appendAll of " + BATCH
                                + ", server heap " + SERVER_HEAP + ")",
                        "events stored",
                        true,
                        "",
                        List.of(
                                Comparison.variant(KAFKA_LOG, ctx -> kafkaHistory(ctx, HISTORY_EVENTS)),
                                Comparison.secondFigure(
                                        "statesync, ZooKeeper log (appended until appends fail)",
                                        KafkaWorkloads::zooKeeperHistory)))
                .runOnce());
    }

    // ---------------------------------------------------------------- the broker

    /** The broker shared by the default comparisons, stopped when the bench exits. */
    private static synchronized KafkaProcess broker() throws IOException, InterruptedException {
        KafkaProcess k = shared;
        if (k == null) {
            long t0 = System.nanoTime();
            k = KafkaProcess.start(SERVER_HEAP);
            log("Kafka broker process %d on %s, started in %.1f s", k.pid(), k.bootstrapServers(), seconds(t0));
            Runtime.getRuntime().addShutdownHook(new Thread(k::close, "kafka-broker-stop"));
            shared = k;
        }
        return k;
    }

    private static KafkaEventLog<byte[]> kafkaLog(BenchContext ctx, Coordinator c, String bootstrap) {
        KafkaEventLog<byte[]> k = ctx.closeAfter(KafkaEventLog.builder(c, "/klog", Codec.bytes())
                .bootstrapServers(bootstrap)
                .topic("bench-" + ctx.namespace())
                .build());
        k.log().start();
        return k;
    }

    // ---------------------------------------------------------------- appends

    static Sample kafkaSingleAppend(BenchContext ctx) throws Exception {
        EventLog<byte[]> log =
                kafkaLog(ctx, ctx.coordinator(), broker().bootstrapServers()).log();
        byte[] event = new byte[EVENT_BYTES];
        log.append(event); // creates the topic outside the measurement
        return Loops.timed(ctx, () -> log.append(event) >= 0).sample("appends/s", "append");
    }

    static Sample kafkaBulkAppend(BenchContext ctx) throws Exception {
        EventLog<byte[]> log =
                kafkaLog(ctx, ctx.coordinator(), broker().bootstrapServers()).log();
        List<byte[]> batch = Collections.nCopies(BATCH, new byte[EVENT_BYTES]);
        log.append(new byte[EVENT_BYTES]);
        Loops.Measured m = Loops.timed(ctx, () -> log.appendAll(batch) >= 0);
        return new Sample().put("events/s", m.perSecond() * BATCH).latencies("appendAll", m.latency());
    }

    static Sample rawSingleAppend(BenchContext ctx) throws Exception {
        RawWriter w = ctx.closeAfter(new RawWriter(broker().bootstrapServers(), "bench-" + ctx.namespace()));
        List<byte[]> one = List.of(new byte[EVENT_BYTES]);
        w.append(one);
        return Loops.timed(ctx, () -> w.append(one) >= 0).sample("appends/s", "append");
    }

    static Sample rawBulkAppend(BenchContext ctx) throws Exception {
        RawWriter w = ctx.closeAfter(new RawWriter(broker().bootstrapServers(), "bench-" + ctx.namespace()));
        List<byte[]> batch = Collections.nCopies(BATCH, new byte[EVENT_BYTES]);
        w.append(List.of(new byte[EVENT_BYTES]));
        Loops.Measured m = Loops.timed(ctx, () -> w.append(batch) >= 0);
        return new Sample().put("events/s", m.perSecond() * BATCH).latencies("appendAll", m.latency());
    }

    /**
     * The raw producer of the references: the records statesync's Kafka log writes (the event as the
     * value; the writer id, the append's sequence and the event's index as headers, under the same
     * names), with the producer settings it uses (idempotent, {@code acks=all}, no compression, one
     * batch per append: lingering until the append's flush).
     */
    static final class RawWriter implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;
        private final byte[] writer = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        private long sequence;

        RawWriter(String bootstrap, String topic) {
            Map<String, Object> p = new HashMap<>();
            p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
            p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 30_000);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1_048_576);
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
            this.producer = new KafkaProducer<>(p);
            this.topic = topic;
        }

        /** Sends the events as one batch and waits for it; returns the first offset. */
        long append(List<byte[]> events) throws Exception {
            long seq = sequence++;
            List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                RecordHeaders h = new RecordHeaders();
                h.add("statesync.writer", writer);
                h.add("statesync.seq", ByteBuffer.allocate(8).putLong(seq).array());
                h.add("statesync.index", ByteBuffer.allocate(4).putInt(i).array());
                sent.add(producer.send(new ProducerRecord<>(topic, 0, null, null, events.get(i), h)));
            }
            producer.flush();
            long first = -1;
            for (Future<RecordMetadata> f : sent) {
                long offset = f.get().offset();
                first = first < 0 ? offset : first;
            }
            return first;
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(10));
        }
    }

    // ---------------------------------------------------------------- replay

    /** What {@link #appendBatches} stored: the events and the position after the last one. */
    private record Appended(long stored, long end) {}

    /**
     * Appends {@code events} events of {@link #EVENT_BYTES} in {@code appendAll}s of {@link #BATCH}
     * from this thread, stopping early when {@code budgetNanos} have passed, and logs the progress
     * every five million events.
     */
    private static Appended appendBatches(EventLog<byte[]> log, long events, long budgetNanos) throws Exception {
        List<byte[]> batch = Collections.nCopies(BATCH, new byte[EVENT_BYTES]);
        long t0 = System.nanoTime();
        long end = 0;
        long stored = 0;
        while (stored < events && System.nanoTime() - t0 < budgetNanos) {
            end = log.appendAll(batch) + BATCH;
            stored += BATCH;
            if (stored % 5_000_000 == 0) {
                log("%d events on Kafka after %.0f s", stored, seconds(t0));
            }
        }
        return new Appended(stored, end);
    }

    static Sample kafkaReplay(BenchContext ctx, int events) throws Exception {
        String bootstrap = broker().bootstrapServers();
        KafkaEventLog<byte[]> writer = kafkaLog(ctx, ctx.coordinator(), bootstrap);
        long end = appendBatches(writer.log(), events, Long.MAX_VALUE).end();
        writer.close();
        EventLog<byte[]> readerLog = kafkaLog(ctx, ctx.coordinator(), bootstrap).log();
        long start = System.nanoTime();
        EventSourcedState<Long, byte[]> state =
                ctx.closeAfter(EventSourcedState.<Long, byte[]>builder(readerLog, 0L, (sum, e) -> sum + e.length)
                        .build());
        state.start();
        if (!state.awaitPosition(end, Duration.ofMinutes(10))) {
            throw new IllegalStateException("replay did not reach position " + end);
        }
        double seconds = seconds(start);
        checkSum(state.current().value(), events);
        return new Sample().put("events/s", events / seconds).put("replay s", seconds);
    }

    static Sample rawReplay(BenchContext ctx, int events) throws Exception {
        String bootstrap = broker().bootstrapServers();
        String topic = "bench-" + ctx.namespace();
        try (RawWriter w = new RawWriter(bootstrap, topic)) {
            List<byte[]> batch = Collections.nCopies(BATCH, new byte[EVENT_BYTES]);
            for (int i = 0; i < events; i += BATCH) {
                w.append(batch);
            }
        }
        long start = System.nanoTime();
        long sum = 0;
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).getOrDefault(tp, 0L);
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    sum += r.value().length;
                }
            }
        }
        double seconds = seconds(start);
        checkSum(sum, events);
        return new Sample().put("events/s", events / seconds).put("replay s", seconds);
    }

    static Sample zooKeeperReplay(BenchContext ctx, int events) throws Exception {
        EventLog<byte[]> log = ctx.closeAfter(
                EventLog.builder(ctx.coordinator(), "/log", Codec.bytes()).build());
        log.start();
        List<byte[]> batch = Collections.nCopies(BATCH, new byte[EVENT_BYTES]);
        for (int i = 0; i < events; i += BATCH) {
            log.appendAll(batch);
        }
        log.close();
        EventLog<byte[]> readerLog = ctx.closeAfter(
                EventLog.builder(ctx.coordinator(), "/log", Codec.bytes()).build());
        readerLog.start();
        long start = System.nanoTime();
        EventSourcedState<Long, byte[]> state =
                ctx.closeAfter(EventSourcedState.<Long, byte[]>builder(readerLog, 0L, (sum, e) -> sum + e.length)
                        .build());
        state.start();
        if (!state.awaitPosition(events, Duration.ofMinutes(10))) {
            throw new IllegalStateException("replay did not reach position " + events);
        }
        double seconds = seconds(start);
        checkSum(state.current().value(), events);
        return new Sample().put("events/s", events / seconds).put("replay s", seconds);
    }

    // ---------------------------------------------------------------- the big history

    /**
     * Appends {@code events} events to a Kafka log on a broker of its own (appendAll of {@link
     * #BATCH}, one caller; fewer if {@link #HISTORY_APPEND_MINUTES} run out first), then replays them into state on a fresh reader (a new coordinator and
     * log instance, the writer closed), taking the reader's heap after a full collection at 0, 10,
     * 25, 50, 75 and 100 % of the replay and the broker's resident set at each.
     */
    static Sample kafkaHistory(BenchContext ctx, long events) throws Exception {
        try (KafkaProcess k = KafkaProcess.start(SERVER_HEAP)) {
            log("history: Kafka broker process %d, heap %s; %s", k.pid(), SERVER_HEAP, Jvm.METHOD);
            KafkaEventLog<byte[]> writer = kafkaLog(ctx, ctx.coordinator(), k.bootstrapServers());
            long t0 = System.nanoTime();
            Appended appended = appendBatches(writer.log(), events, TimeUnit.MINUTES.toNanos(HISTORY_APPEND_MINUTES));
            long end = appended.end();
            long stored = appended.stored();
            double appendSeconds = seconds(t0);
            writer.close();
            if (stored < events) {
                log(
                        "history: the append budget of %d min ran out at %d of %d events: replaying those",
                        HISTORY_APPEND_MINUTES, stored, events);
            }
            Sample s = new Sample().put("events stored", (double) stored);
            s.put("append s", appendSeconds).put("append events/s", stored / appendSeconds);
            s.put("broker RSS MiB after append", mib(k.rssBytes()));
            s.put("broker heap MiB after GC, after append", mib(k.heapAfterGcBytes()));
            s.put("topic on disk GiB", k.diskBytes() / (1024.0 * 1024 * 1024));

            EventLog<byte[]> readerLog =
                    kafkaLog(ctx, ctx.coordinator(), k.bootstrapServers()).log();
            long base = References.usedHeapAfterGc();
            s.put("reader heap MiB after GC, before replay", mib(base));
            long t1 = System.nanoTime();
            EventSourcedState<Long, byte[]> state =
                    ctx.closeAfter(EventSourcedState.<Long, byte[]>builder(readerLog, 0L, (sum, e) -> sum + e.length)
                            .build());
            state.start();
            long maxRss = 0;
            for (int percent : new int[] {10, 25, 50, 75, 100}) {
                long target = percent == 100 ? end : end / 100 * percent;
                if (!state.awaitPosition(target, Duration.ofMinutes(30))) {
                    throw new IllegalStateException("replay did not reach position " + target);
                }
                long heap = References.usedHeapAfterGc();
                long rss = k.rssBytes();
                maxRss = Math.max(maxRss, rss);
                s.put("reader heap MiB after GC at " + percent + " %", mib(heap));
                log(
                        "history: replay at %d %% (%d) after %.0f s: reader heap %.1f MiB after GC, broker RSS %.0f MiB",
                        percent, target, seconds(t1), mib(heap), mib(rss));
            }
            double replaySeconds = seconds(t1);
            checkSum(state.current().value(), stored);
            s.put("replay s (incl. 5 heap samples)", replaySeconds).put("replay events/s", stored / replaySeconds);
            s.put("broker RSS MiB, largest sample during replay", mib(maxRss));
            s.put("broker RSS MiB, peak (VmHWM)", mib(k.peakRssBytes()));
            return s;
        }
    }

    /**
     * Appends to a ZooKeeper log on a server of its own with a {@link #SERVER_HEAP} heap (appendAll
     * of {@link #BATCH}, one caller, 30 s per append) until an append fails, the server dies, or
     * {@link #ZK_HISTORY_CAP} events; the server's heap after a full collection at 1, 2, 5 and 10
     * million events and every 5 million after.
     */
    static Sample zooKeeperHistory(BenchContext ctx) throws Exception {
        try (ZooKeeperProcess zk = ZooKeeperProcess.start(SERVER_HEAP)) {
            log("history: ZooKeeper server process %d, heap %s; %s", zk.pid(), SERVER_HEAP, Jvm.METHOD);
            Sample s = new Sample();
            EventLog<byte[]> log =
                    ctx.closeAfter(EventLog.builder(ctx.coordinator(zk.connectString()), "/log", Codec.bytes())
                            .build());
            log.start();
            List<byte[]> batch = Collections.nCopies(BATCH, new byte[EVENT_BYTES]);
            long t0 = System.nanoTime();
            long appended = 0;
            long firstHeap = -1;
            long firstAt = 0;
            long lastHeap = -1;
            long lastAt = 0;
            String failure = "none: stopped at the cap of " + ZK_HISTORY_CAP + " events";
            while (appended < ZK_HISTORY_CAP) {
                try {
                    log.appendAll(batch, Duration.ofSeconds(30));
                } catch (Exception e) {
                    failure = e.toString();
                    break;
                }
                appended += BATCH;
                if (appended == 1_000_000 || appended == 2_000_000 || (appended % 5_000_000 == 0)) {
                    long heap = Jvm.heapAfterGc(zk.pid());
                    s.put("server heap MiB after GC at " + appended / 1_000_000 + "M events", mib(heap));
                    log(
                            "history: ZooKeeper at %d events after %.0f s: server heap %.0f MiB after GC",
                            appended, seconds(t0), mib(heap));
                    if (firstHeap < 0) {
                        firstHeap = heap;
                        firstAt = appended;
                    }
                    lastHeap = heap;
                    lastAt = appended;
                }
            }
            double secondsToStop = seconds(t0);
            s.put("events stored", (double) appended);
            s.put("s until appends stopped", secondsToStop);
            if (lastAt > firstAt) {
                s.put("server heap MiB per million events", mib(lastHeap - firstHeap) / ((lastAt - firstAt) / 1e6));
            }
            boolean alive = zk.alive();
            s.put("server process alive after the failure (1 = yes)", alive ? 1 : 0);
            log(
                    "history: ZooKeeper appends stopped at %d events after %.0f s: %s; server process %s",
                    appended, secondsToStop, failure, alive ? "alive" : "exited");
            try (Stream<String> lines = Files.lines(zk.serverLog())) {
                lines.filter(l -> l.contains("OutOfMemory") || l.contains("ERROR") || l.contains("Exception"))
                        .limit(10)
                        .forEach(l -> log("history: server log: %s", l));
            }
            return s;
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void checkSum(long sum, long events) {
        if (sum != events * EVENT_BYTES) {
            throw new IllegalStateException("replayed state is " + sum + " bytes, expected " + events * EVENT_BYTES);
        }
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "  " + format + "%n", args);
    }
}
