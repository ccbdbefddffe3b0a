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
import io.statesync.recipes.eventlog.LogEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.HdrHistogram.Recorder;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * The event log live: how soon a subscriber on another client applies an event appended at a fixed
 * rate (open loop, {@link Paced}), and several appender clients appending to one log at once, each
 * append checked present exactly once afterwards. Events are {@link EventLogWorkloads#EVENT_BYTES}
 * bytes, one per append (one znode per event on every side).
 */
final class EventLogTailWorkloads {
    static final int EVENT_BYTES = EventLogWorkloads.EVENT_BYTES;
    static final int TAIL_RATE = 200;

    private EventLogTailWorkloads() {}

    static List<Comparison> all(boolean quick) {
        List<Comparison> all = new ArrayList<>();
        all.add(new Comparison(
                "eventlog-tail",
                "event log: append-to-subscriber latency, " + TAIL_RATE + " single appends/s (open loop, " + EVENT_BYTES
                        + " B), subscriber on another client",
                "append-to-subscriber p99 ms",
                false,
                "",
                List.of(
                        Comparison.variant("statesync EventLog.subscribe", ctx -> tail(ctx, TAIL_RATE)),
                        Comparison.variant(
                                "raw ZooKeeper sequential create + persistent recursive watch, getData per event"
                                        + " (one znode per event; like for like)",
                                ctx -> rawTail(ctx, TAIL_RATE)))));
        for (int appenders : quick ? new int[] {3} : new int[] {3, 8}) {
            all.add(new Comparison(
                    "eventlog-appenders-" + appenders,
                    "event log: single appends (" + EVENT_BYTES + " B) back to back from " + appenders
                            + " appender clients to one log",
                    "appends/s",
                    true,
                    "",
                    List.of(
                            Comparison.variant("statesync", ctx -> appenders(ctx, appenders)),
                            Comparison.variant(
                                    "raw ZooKeeper sequential create (one znode per event)",
                                    ctx -> rawAppenders(ctx, appenders)))));
        }
        return all;
    }

    private static EventLog<byte[]> log(Coordinator c) {
        EventLog<byte[]> log = EventLog.builder(c, "/log", Codec.bytes()).build();
        log.start();
        return log;
    }

    /** An event of {@link #EVENT_BYTES} bytes starting with two longs (e.g. a scheduled time, or a writer and a sequence). */
    static byte[] event(long first, long second) {
        return ByteBuffer.allocate(EVENT_BYTES).putLong(first).putLong(second).array();
    }

    static long first(byte[] event) {
        return ByteBuffer.wrap(event).getLong(0);
    }

    static long second(byte[] event) {
        return ByteBuffer.wrap(event).getLong(Long.BYTES);
    }

    /** Appends one event. */
    @FunctionalInterface
    interface Appender {
        void append(byte[] event) throws Exception;
    }

    static Sample tail(BenchContext ctx, int rate) throws Exception {
        EventLog<byte[]> writer = ctx.closeAfter(log(ctx.coordinator()));
        writer.append(event(0, 0)); // creates the log's znodes outside the measurement
        EventLog<byte[]> reader = ctx.closeAfter(log(ctx.coordinator()));
        return measureTail(
                ctx,
                rate,
                writer::append,
                onEvent -> ctx.closeAfter(reader.subscribe(0, change -> {
                    LogEvent<byte[]> e = change.current().orElseThrow().value();
                    onEvent.accept(e.event());
                })));
    }

    static Sample rawTail(BenchContext ctx, int rate) throws Exception {
        ZooKeeper writer = ctx.zooKeeper();
        writer.create(ctx.root(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        String parent = ctx.root() + "/log";
        writer.create(parent, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        ZooKeeper reader = ctx.zooKeeper();
        return measureTail(
                ctx,
                rate,
                event -> writer.create(
                        parent + "/e-", event, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL),
                onEvent -> reader.addWatch(
                        parent,
                        watched -> {
                            if (watched.getType() == Watcher.Event.EventType.NodeCreated) {
                                // Replies come back in request order, so events are applied in creation order.
                                reader.getData(
                                        watched.getPath(),
                                        false,
                                        (rc, path, c, data, stat) -> {
                                            if (rc != 0) {
                                                throw new IllegalStateException(
                                                        "getData " + path + ": " + KeeperException.Code.get(rc));
                                            }
                                            onEvent.accept(data);
                                        },
                                        null);
                            }
                        },
                        AddWatchMode.PERSISTENT_RECURSIVE));
    }

    /** Starts following the log; every event the follower applies goes to {@code onEvent}, in order. */
    @FunctionalInterface
    interface Reader {
        void follow(Consumer<byte[]> onEvent) throws Exception;
    }

    /**
     * The harness both tail variants share: each event carries its scheduled time (this JVM's
     * {@link System#nanoTime()}, which the subscriber shares), so applying it at {@code now} records
     * {@code now - scheduled}. One event every subscriber must apply before the clock starts; then
     * the schedule; then a wait until the subscriber applied the last. Fails if the subscriber applied
     * an event twice or out of order.
     */
    static Sample measureTail(BenchContext ctx, int rate, Appender appender, Reader reader) throws Exception {
        Recorder latency = new Recorder(3);
        long appends = Paced.sends(rate, ctx.measureFor());
        long start = System.nanoTime();
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch((int) appends);
        AtomicLong last = new AtomicLong(Long.MIN_VALUE);
        AtomicLong applied = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        reader.follow(event -> {
            long now = System.nanoTime();
            long scheduled = first(event);
            if (scheduled < start) {
                return; // an event written in the set-up
            }
            if (scheduled <= last.getAndSet(scheduled)) {
                failure.compareAndSet(null, "the subscriber applied an event twice or out of order");
            }
            if (scheduled == start) {
                ready.countDown();
                return;
            }
            latency.recordValue(Math.max(0, now - scheduled));
            applied.incrementAndGet();
            all.countDown();
        });
        appender.append(event(start, 0));
        if (!ready.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the subscriber did not apply the first event within 60 s");
        }
        long packets = ctx.packets();
        long serverCpu = ServerCpu.nanos(ctx.server());
        Paced.Run run = Paced.run(rate, appends, (i, due) -> appender.append(event(due, i)));
        if (!all.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(
                    "the subscriber applied " + applied.get() + " of " + appends + " events within 60 s");
        }
        double requests = (ctx.packets() - packets) / (double) appends;
        long server = ServerCpu.since(ctx.server(), serverCpu);
        if (failure.get() != null || applied.get() != appends) {
            throw new IllegalStateException(failure.get() + "; applied " + applied.get() + " of " + appends);
        }
        Sample s = new Sample()
                .latencies("append-to-subscriber", latency.getIntervalHistogram())
                .put("appends", (double) appends)
                .put("appends/s sent", run.perSecond())
                .put("appender max lag behind schedule ms", run.maxLagMs())
                .put("requests/event (appender and subscriber)", requests);
        return server < 0 ? s : s.put("server CPU µs/event", server / 1e3 / appends);
    }

    /**
     * Appender clients, each appending single events back to back; each event names its appender and
     * its sequence, and the log is read back afterwards: every append must be there exactly once.
     */
    static Sample appenders(BenchContext ctx, int appenders) throws Exception {
        List<EventLog<byte[]>> logs = new ArrayList<>();
        List<Loops.Op> callers = new ArrayList<>();
        long[] sequences = new long[appenders];
        for (int i = 0; i < appenders; i++) {
            EventLog<byte[]> log = ctx.closeAfter(log(ctx.coordinator()));
            logs.add(log);
            if (i == 0) {
                log.append(event(-1, -1)); // creates the log's znodes outside the measurement
            }
            int writer = i;
            callers.add(() -> log.append(event(writer, sequences[writer]++)) >= 0);
        }
        Loops.Measured m = Loops.parallel(ctx, callers);
        EventLog<byte[]> reader = logs.get(0);
        List<byte[]> events = new ArrayList<>();
        long end = reader.endPosition();
        for (long p = 1; p < end; ) {
            List<LogEvent<byte[]>> page = reader.read(p, 1_000);
            for (LogEvent<byte[]> e : page) {
                events.add(e.event());
            }
            p += page.size();
        }
        checkExactlyOnce(events, sequences, m.ops());
        return withShares(m.sample("appends/s", "append"), sequences);
    }

    /** Appender handles, each creating one sequential znode per event back to back; read back and checked as statesync's. */
    static Sample rawAppenders(BenchContext ctx, int appenders) throws Exception {
        List<ZooKeeper> handles = new ArrayList<>();
        List<Loops.Op> callers = new ArrayList<>();
        long[] sequences = new long[appenders];
        String parent = ctx.root() + "/log";
        for (int i = 0; i < appenders; i++) {
            ZooKeeper zk = ctx.zooKeeper();
            handles.add(zk);
            if (i == 0) {
                zk.create(ctx.root(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                zk.create(parent, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
            int writer = i;
            callers.add(() -> {
                zk.create(
                        parent + "/e-",
                        event(writer, sequences[writer]++),
                        ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT_SEQUENTIAL);
                return true;
            });
        }
        Loops.Measured m = Loops.parallel(ctx, callers);
        ZooKeeper zk = handles.get(0);
        List<byte[]> events = Collections.synchronizedList(new ArrayList<>());
        References.readChildren(zk, parent, 500, events::add);
        checkExactlyOnce(events, sequences, m.ops());
        return withShares(m.sample("appends/s", "append"), sequences);
    }

    /**
     * Adds how the appends were shared: the fewest one appender made, as a fraction of an equal share
     * (1 when all made as many; near 0 when one was starved).
     */
    static Sample withShares(Sample s, long[] sequences) {
        long total = 0;
        long fewest = Long.MAX_VALUE;
        for (long q : sequences) {
            total += q;
            fewest = Math.min(fewest, q);
        }
        return s.put("smallest appender share / equal share", fewest * (double) sequences.length / Math.max(1, total));
    }

    /**
     * Throws unless {@code events} holds each appender's sequences {@code 0 .. sequences[i] - 1}
     * exactly once, and as many events as appends were measured.
     */
    static void checkExactlyOnce(List<byte[]> events, long[] sequences, long appends) {
        Map<Long, Long> seen = new HashMap<>();
        long duplicates = 0;
        for (byte[] e : events) {
            long key = first(e) * 1_000_000_000L + second(e);
            if (seen.merge(key, 1L, Long::sum) > 1) {
                duplicates++;
            }
        }
        long missing = 0;
        long total = 0;
        for (int w = 0; w < sequences.length; w++) {
            total += sequences[w];
            for (long q = 0; q < sequences[w]; q++) {
                if (!seen.containsKey(w * 1_000_000_000L + q)) {
                    missing++;
                }
            }
        }
        if (duplicates > 0 || missing > 0 || events.size() != total || total != appends) {
            throw new IllegalStateException("appends not present exactly once: " + total + " appended ("
                    + appends + " measured), " + events.size() + " in the log, " + duplicates + " duplicates, "
                    + missing + " missing");
        }
    }
}
