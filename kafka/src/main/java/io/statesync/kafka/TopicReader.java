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

import io.statesync.core.ConnectionEvent;
import io.statesync.core.HistoryTruncatedException;
import io.statesync.core.StateSyncException;
import io.statesync.core.internal.Deadline;
import io.statesync.recipes.internal.EventStorage;
import io.statesync.recipes.internal.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reading loop of a subscription or an event-sourced state on a Kafka log: one daemon thread
 * with its own consumer (the partition assigned, no group, no committed offsets: the position is the
 * handler's). It first reads the {@link ReadFilter}'s window before the start position without
 * delivering, then hands every event to the handler in offset order and reports the offsets it
 * passes over (duplicates, fenced appends) through {@link EventStorage.Handler#onSkipped(long)}.
 *
 * <p>The position advances only by the handler's answers; a failed poll (a broker restart, a lost
 * connection) is retried from the same position with the same filter, so nothing is skipped or
 * handed over twice. History deleted under it ends it with {@link HistoryTruncatedException}.
 */
final class TopicReader implements EventStorage.Reader, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final KafkaStorage storage;
    private final EventStorage.Handler handler;
    private final Thread thread;
    private volatile boolean closed;
    private volatile @Nullable KafkaConsumer<byte[], byte[]> consumer;

    TopicReader(KafkaStorage storage, EventStorage.Handler handler, String name) {
        this.storage = storage;
        this.handler = handler;
        this.thread = storage.coordinator().internalAccess().newThread(name, this);
    }

    @Override
    public void start() {
        thread.start();
    }

    @Override
    public void close(Deadline d) {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (Thread.currentThread() != thread) {
            thread.interrupt();
            try {
                long left = d.remainingNanos();
                if (left > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(thread, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void onConnection(ConnectionEvent event) {
        // The Kafka client keeps its own connections; ZooKeeper's transitions do not concern the reader.
    }

    @Override
    public void run() {
        KafkaConsumer<byte[], byte[]> c = null;
        try {
            c = storage.newConsumer("follower");
            consumer = c;
            if (closed) {
                return;
            }
            loop(c);
        } catch (WakeupException | InterruptException e) {
            if (!closed) {
                LOG.warn("reader of {} interrupted; stopping", storage.path());
            }
        } catch (InterruptedException e) {
            if (!closed) {
                LOG.warn("reader of {} interrupted; stopping", storage.path());
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.error("reader of {} failed", storage.path(), e);
                handler.onFatal(new StateSyncException(
                        StateSyncException.Reason.OTHER,
                        storage.path(),
                        "following " + storage.path() + " failed: " + e,
                        e));
            }
        } finally {
            if (c != null) {
                Thread.interrupted(); // closing must not fail on the interrupt that stopped the loop
                c.close(CloseOptions.timeout(Duration.ZERO));
            }
        }
    }

    private void loop(KafkaConsumer<byte[], byte[]> c) throws InterruptedException {
        boolean prepared = false;
        long next = -1;
        ReadFilter filter = new ReadFilter(storage.window());
        c.assign(List.of(storage.partition()));
        while (!closed) {
            try {
                if (!prepared) {
                    Deadline d = storage.coordinator().internalAccess().defaultDeadline();
                    long start = handler.prepare(d);
                    storage.ensureTopic(d);
                    long earliest = storage.earliestPosition(d);
                    if (start < earliest) {
                        handler.onFatal(new HistoryTruncatedException(storage.path(), start, earliest));
                        return;
                    }
                    // The filter's window before the start, read without delivering.
                    filter = new ReadFilter(storage.window());
                    long primeFrom = Math.max(earliest, start - storage.window());
                    c.seek(storage.partition(), primeFrom);
                    while (c.position(storage.partition()) < start && !closed) {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL).records(storage.partition())) {
                            if (r.offset() < start) {
                                filter.accept(r.offset(), Headers.Stamp.of(r.headers()));
                            }
                        }
                    }
                    c.seek(storage.partition(), start);
                    next = start;
                    prepared = true;
                }
                ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
                List<ConsumerRecord<byte[], byte[]>> batch = records.records(storage.partition());
                if (!batch.isEmpty()) {
                    List<StoredEvent> events = new ArrayList<>(batch.size());
                    long after = next;
                    for (ConsumerRecord<byte[], byte[]> r : batch) {
                        if (filter.accept(r.offset(), Headers.Stamp.of(r.headers())) == ReadFilter.Verdict.EVENT) {
                            events.add(KafkaStorage.event(r));
                        }
                        after = r.offset() + 1;
                    }
                    if (!events.isEmpty()) {
                        long handled = handler.onEvents(events);
                        if (handled < 0) {
                            return;
                        }
                        next = handled;
                    }
                    if (after > next) {
                        long handled = handler.onSkipped(after);
                        if (handled < 0) {
                            return;
                        }
                        next = handled;
                    }
                    if (c.position(storage.partition()) != next) {
                        c.seek(storage.partition(), next);
                    }
                }
                OptionalLong lag = c.currentLag(storage.partition());
                if (lag.isPresent() && lag.getAsLong() == 0) {
                    handler.onCaughtUp(next);
                } else if (batch.isEmpty() && lag.isEmpty()) {
                    Long end = c.endOffsets(List.of(storage.partition()), POLL).get(storage.partition());
                    if (end != null && end <= next) {
                        handler.onCaughtUp(next);
                    }
                }
            } catch (OffsetOutOfRangeException e) {
                long earliest = storage.earliestPosition(
                        storage.coordinator().internalAccess().defaultDeadline());
                handler.onFatal(new HistoryTruncatedException(storage.path(), next, earliest));
                return;
            } catch (WakeupException | InterruptException e) {
                if (closed) {
                    return;
                }
                throw e;
            } catch (StateSyncException | KafkaException e) {
                if (closed) {
                    return;
                }
                // A broker away, a request timed out: report, wait a little, read again from the
                // same position (the consumer is re-positioned; the filter has seen nothing past it).
                StateSyncException error = e instanceof StateSyncException sse
                        ? sse
                        : new StateSyncException(
                                StateSyncException.Reason.CONNECTION_LOSS,
                                storage.path(),
                                "reading " + storage.path() + " from position " + next + ": " + e,
                                e);
                if (e instanceof org.apache.kafka.common.errors.TimeoutException
                        || error.reason() == StateSyncException.Reason.TIMEOUT) {
                    LOG.debug("reader of {}: {}", storage.path(), e.toString());
                } else {
                    handler.onError(error);
                }
                if (!storage.coordinator()
                        .internalAccess()
                        .deadline(Duration.ofSeconds(1))
                        .sleep(TimeUnit.SECONDS.toNanos(1))) {
                    return;
                }
                if (prepared) {
                    c.seek(storage.partition(), next);
                }
            }
        }
    }
}
