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
import io.statesync.recipes.eventlog.EventLog;
import io.statesync.recipes.eventlog.EventSourcedState;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/** Event log workloads: single appends, bulk appends and replay. */
final class EventLogWorkloads {
    static final int EVENT_BYTES = 64;
    /**
     * The second raw reference's bulk load (one znode per event, multis of this many, several in
     * flight), and the batch the replay workloads' logs are written in (so a packed znode holds this
     * many events).
     */
    static final int BATCH = 100;

    static final int IN_FLIGHT = 4;
    /**
     * The bulk load: statesync's appendAll of this many events (one multi, packed into one znode, or
     * two where the batch crosses a segment), and the like-for-like raw reference's one znode holding
     * as many; one caller each.
     */
    static final int PACKED_BATCH = 1_000;

    /** The like-for-like raw reference's label for the bulk append. */
    static final String RAW_PACKED = "raw ZooKeeper, same packing (" + PACKED_BATCH + " events per znode, one create"
            + " per batch; like for like)";

    /** The second raw reference's label for the bulk append: a different layout. */
    static final String RAW_PER_EVENT = "raw ZooKeeper, one znode per event (multis of " + BATCH + ", " + IN_FLIGHT
            + " in flight; second reference, not like for like)";

    private EventLogWorkloads() {}

    static List<Comparison> all(boolean quick) {
        int replayEvents = quick ? 5_000 : 50_000;
        return List.of(
                new Comparison(
                        "eventlog-append",
                        "event log: single append (64 B)",
                        "appends/s",
                        true,
                        ">= 0.9× raw sequential create",
                        List.of(
                                Comparison.variant("statesync", EventLogWorkloads::singleAppend),
                                Comparison.variant(
                                        "raw ZooKeeper sequential create",
                                        ctx -> References.rawSequentialCreate(ctx, EVENT_BYTES)))),
                new Comparison(
                        "eventlog-bulk",
                        "event log: bulk append (batches of " + PACKED_BATCH + " events, one caller)",
                        "events/s",
                        true,
                        "past 100,000 events/s by packing",
                        List.of(
                                Comparison.variant("statesync", EventLogWorkloads::bulkAppend),
                                Comparison.variant(RAW_PACKED, EventLogWorkloads::rawPackedAppend),
                                Comparison.unlike(
                                        RAW_PER_EVENT,
                                        ctx -> References.rawPipelinedMulti(ctx, EVENT_BYTES, BATCH, IN_FLIGHT)))),
                new Comparison(
                        "eventlog-replay",
                        "event log: replay " + replayEvents + " events into state (written in batches of " + BATCH
                                + ")",
                        "events/s",
                        true,
                        "at least 100,000 events/s",
                        List.of(
                                Comparison.variant("statesync", ctx -> replay(ctx, replayEvents)),
                                Comparison.variant(
                                        "raw ZooKeeper, same packing (" + BATCH + " events per znode, pipelined"
                                                + " getData; like for like)",
                                        ctx -> rawPackedReplay(ctx, replayEvents)),
                                Comparison.unlike(
                                        "raw ZooKeeper, one znode per event (pipelined getData; second reference,"
                                                + " not like for like)",
                                        ctx -> rawReplay(ctx, replayEvents)))));
    }

    private static EventLog<byte[]> log(Coordinator c) {
        EventLog<byte[]> log = EventLog.builder(c, "/log", Codec.bytes()).build();
        log.start();
        return log;
    }

    static Sample singleAppend(BenchContext ctx) throws Exception {
        EventLog<byte[]> log = ctx.closeAfter(log(ctx.coordinator()));
        byte[] event = new byte[EVENT_BYTES];
        log.append(event); // creates the log's znodes outside the measurement
        return Loops.timed(ctx, () -> log.append(event) >= 0).sample("appends/s", "append");
    }

    static Sample bulkAppend(BenchContext ctx) throws Exception {
        EventLog<byte[]> log = ctx.closeAfter(log(ctx.coordinator()));
        List<byte[]> batch = Collections.nCopies(PACKED_BATCH, new byte[EVENT_BYTES]);
        log.append(new byte[EVENT_BYTES]);
        Loops.Measured m = Loops.timed(ctx, () -> log.appendAll(batch) >= 0);
        return new Sample()
                .put("events/s", m.perSecond() * PACKED_BATCH)
                .put("requests/event", m.requestsPerOp() / PACKED_BATCH);
    }

    static Sample replay(BenchContext ctx, int events) throws Exception {
        Coordinator writer = ctx.coordinator();
        EventLog<byte[]> log = ctx.closeAfter(log(writer));
        List<byte[]> batch = Collections.nCopies(BATCH, new byte[EVENT_BYTES]);
        for (int i = 0; i < events; i += BATCH) {
            log.appendAll(batch);
        }
        EventLog<byte[]> readerLog = ctx.closeAfter(log(ctx.coordinator()));
        long packets = ctx.packets();
        long start = System.nanoTime();
        EventSourcedState<Long, byte[]> state =
                ctx.closeAfter(EventSourcedState.<Long, byte[]>builder(readerLog, 0L, (sum, e) -> sum + e.length)
                        .build());
        state.start();
        if (!state.awaitPosition(events - 1, Duration.ofMinutes(5))) {
            throw new IllegalStateException("replay did not reach position " + (events - 1));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (state.current().value() != (long) events * EVENT_BYTES) {
            throw new IllegalStateException(
                    "replayed state is " + state.current().value());
        }
        return new Sample()
                .put("events/s", events / seconds)
                .put("requests/event", (ctx.packets() - packets) / (double) events);
    }

    /**
     * Packs events into one znode's data the simplest way a raw client would: a count, then each
     * event with a 4-byte length prefix.
     */
    static byte[] pack(List<byte[]> events) {
        int size = 4;
        for (byte[] e : events) {
            size += 4 + e.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(events.size());
        for (byte[] e : events) {
            b.putInt(e.length).put(e);
        }
        return b.array();
    }

    /** The sum of the lengths of the events packed in {@code data} (what the replay's state adds up). */
    static long unpackedBytes(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        int n = b.getInt();
        long sum = 0;
        for (int i = 0; i < n; i++) {
            int length = b.getInt();
            b.position(b.position() + length);
            sum += length;
        }
        return sum;
    }

    /**
     * The like-for-like raw bulk append: each batch of {@link #PACKED_BATCH} events is packed into
     * one sequential znode, created synchronously by one caller, as statesync's appendAll is.
     */
    static Sample rawPackedAppend(BenchContext ctx) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        zk.create(ctx.root(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        List<byte[]> batch = Collections.nCopies(PACKED_BATCH, new byte[EVENT_BYTES]);
        String prefix = ctx.root() + "/r-";
        Loops.Measured m = Loops.timed(ctx, () -> {
            zk.create(prefix, pack(batch), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
            return true;
        });
        return new Sample()
                .put("events/s", m.perSecond() * PACKED_BATCH)
                .put("requests/event", m.requestsPerOp() / PACKED_BATCH);
    }

    /**
     * The like-for-like raw replay: the log written as statesync's replay workload writes it (one
     * znode per batch of {@link #BATCH} events), read back with one getChildren and pipelined async
     * getData, 500 in flight, each znode unpacked.
     */
    static Sample rawPackedReplay(BenchContext ctx, int events) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        zk.create(ctx.root(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        String parent = ctx.root() + "/log";
        zk.create(parent, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        for (int i = 0; i < events; i += BATCH) {
            byte[] data = pack(Collections.nCopies(Math.min(BATCH, events - i), new byte[EVENT_BYTES]));
            zk.create(parent + "/r-", data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
        }
        return readBack(ctx, zk, parent, events, EventLogWorkloads::unpackedBytes);
    }

    /** The second raw reference: one sequential znode per event, read back with pipelined async getData. */
    static Sample rawReplay(BenchContext ctx, int events) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        zk.create(ctx.root(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        String parent = ctx.root() + "/log";
        References.createChildren(zk, parent, events, EVENT_BYTES);
        return readBack(ctx, zk, parent, events, data -> data.length);
    }

    /**
     * Times one getChildren of {@code parent} and a pipelined getData of every child (500 in flight),
     * in name order, adding up the event bytes each holds.
     */
    private static Sample readBack(
            BenchContext ctx, ZooKeeper zk, String parent, int events, ToLongFunction<byte[]> eventBytes)
            throws Exception {
        long packets = ctx.packets();
        long start = System.nanoTime();
        AtomicLong sum = new AtomicLong();
        References.readChildren(zk, parent, 500, data -> sum.addAndGet(eventBytes.applyAsLong(data)));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (sum.get() != (long) events * EVENT_BYTES) {
            throw new IllegalStateException(
                    "raw replay read " + sum.get() + " bytes of events, not " + (long) events * EVENT_BYTES);
        }
        return new Sample()
                .put("events/s", events / seconds)
                .put("requests/event", (ctx.packets() - packets) / (double) events);
    }
}
