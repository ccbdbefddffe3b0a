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
package io.statesync.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.statesync.core.ChangeKind;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.Ticker;
import io.statesync.core.Versioned;
import io.statesync.core.internal.ListenerSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine reads its clock per change only for what needs it: the listener meters of a bound
 * {@link StateSyncMetrics}, never for {@link StateSyncObservations} alone (which follows calls).
 * No server: the engine alone.
 */
@Timeout(30)
class DeliveryTimingTest {
    /** A ticker that counts its reads. */
    private static final class Counting implements Ticker {
        final AtomicLong reads = new AtomicLong();

        @Override
        public long read() {
            return reads.incrementAndGet();
        }
    }

    private static int deliverTen(Coordinator c) {
        ListenerSet<StateListener<String>> set = new ListenerSet<>("SharedState /timed", c);
        AtomicInteger calls = new AtomicInteger();
        set.add(change -> calls.incrementAndGet(), Runnable::run);
        for (int i = 1; i <= 10; i++) {
            StateChange<String> change =
                    StateChange.of("/timed", ChangeKind.UPDATED, null, Versioned.of("v" + i, i, 1, i));
            set.publish(change, l -> l.onChange(change));
        }
        set.close();
        return calls.get();
    }

    @Test
    void observationsAloneMakeDeliveryReadNoClock() {
        Counting ticker = new Counting();
        try (Coordinator c = Coordinator.builder("127.0.0.1:1").ticker(ticker).build();
                StateSyncObservations observed = new StateSyncObservations(c, ObservationRegistry.create())) {
            long before = ticker.reads.get();
            assertThat(deliverTen(c)).isEqualTo(10);
            assertThat(ticker.reads.get() - before)
                    .as("no clock read for a sink that does not time deliveries")
                    .isZero();
        }
    }

    @Test
    void boundMetricsTimeEachDeliveryWithTwoReads() {
        Counting ticker = new Counting();
        try (Coordinator c = Coordinator.builder("127.0.0.1:1").ticker(ticker).build();
                StateSyncMetrics metrics = new StateSyncMetrics(c)) {
            metrics.bindTo(new SimpleMeterRegistry());
            long before = ticker.reads.get();
            assertThat(deliverTen(c)).isEqualTo(10);
            assertThat(ticker.reads.get() - before).isEqualTo(20);
        }
    }
}
