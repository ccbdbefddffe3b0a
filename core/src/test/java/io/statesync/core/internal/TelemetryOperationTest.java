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
package io.statesync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.statesync.core.OperationTimeoutException;
import io.statesync.core.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** {@link Telemetry#start}: a recipe's blocking call reaches every sink that follows calls, once. */
class TelemetryOperationTest {
    private record Ended(
            String call, String outcome, @Nullable Throwable error, long nanos) {}

    private static final class Following implements Telemetry.Sink {
        final List<Ended> ended = new CopyOnWriteArrayList<>();

        @Override
        public void delivered(String owner, long queuedNanos) {}

        @Override
        public void listenerFailed(String owner) {}

        @Override
        public void resynced(String owner) {}

        @Override
        public Telemetry.Scope started(String owner, String operation, String path) {
            return (outcome, error, nanos) ->
                    ended.add(new Ended(owner + " " + operation + " " + path, outcome, error, nanos));
        }
    }

    @Test
    void withoutASinkACallIsTheSharedDoNothingOperation() {
        FakeTicker ticker = new FakeTicker();
        Telemetry telemetry = new Telemetry(ticker);
        Telemetry.Operation a = telemetry.start("SharedState /a", "update", "/a");
        Telemetry.Operation b = telemetry.start("SharedState /b", "set", "/b");
        assertThat(a).isSameAs(b);
        a.outcome("ok");
        a.close();
    }

    @Test
    void theOutcomeAndTheDurationOnTheTickerReachTheSinkOnce() {
        FakeTicker ticker = new FakeTicker();
        Telemetry telemetry = new Telemetry(ticker);
        Following sink = new Following();
        telemetry.addSink(sink);
        try (Telemetry.Operation op = telemetry.start("DistributedLock /l", "acquire", "/l")) {
            ticker.advance(Duration.ofMillis(1500));
            op.outcome("timeout");
            op.close();
        }
        assertThat(sink.ended)
                .containsExactly(new Ended("DistributedLock /l acquire /l", "timeout", null, 1_500_000_000L));
    }

    @Test
    void aCallThatThrowsOrSetsNoOutcomeIsAnError() {
        FakeTicker ticker = new FakeTicker();
        Telemetry telemetry = new Telemetry(ticker);
        Following sink = new Following();
        telemetry.addSink(sink);
        IllegalStateException thrown = new IllegalStateException("boom");
        try (Telemetry.Operation op = telemetry.start("EventLog /log", "append", "/log")) {
            op.failed(thrown);
        }
        try (Telemetry.Operation op = telemetry.start("EventLog /log", "append", "/log")) {
            ticker.advance(Duration.ofMillis(3));
        }
        assertThat(sink.ended)
                .containsExactly(
                        new Ended("EventLog /log append /log", "error", thrown, 0),
                        new Ended("EventLog /log append /log", "error", null, 3_000_000L));
        telemetry.removeSink(sink);
        try (Telemetry.Operation op = telemetry.start("EventLog /log", "append", "/log")) {
            op.outcome("ok");
        }
        assertThat(sink.ended).as("a removed sink hears nothing").hasSize(2);
    }

    @Test
    void observeNamesTheOutcomeOfACallByWhatItReturnsOrThrows() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Telemetry telemetry = new Telemetry(ticker);
        Following sink = new Following();
        telemetry.addSink(sink);
        OperationTimeoutException timeout = new OperationTimeoutException(
                "/l", "acquire of /l did not complete", OperationTimeoutException.Outcome.NOT_APPLIED, null);
        IllegalStateException failure = new IllegalStateException("boom");
        assertThat(telemetry.observe("R /p", "a", "/p", () -> "value")).isEqualTo("value");
        Optional<String> none = telemetry.observe("R /p", "b", "/p", Optional::empty);
        assertThat(none).isEmpty();
        assertThatThrownBy(() -> telemetry.observe("R /p", "c", "/p", () -> {
                    throw timeout;
                }))
                .isSameAs(timeout);
        assertThatThrownBy(() -> telemetry.observe("R /p", "d", "/p", () -> {
                    throw new InterruptedException("stop");
                }))
                .isInstanceOf(InterruptedException.class);
        assertThatThrownBy(() -> telemetry.observe("R /p", "e", "/p", () -> {
                    throw failure;
                }))
                .isSameAs(failure);
        assertThat(sink.ended)
                .extracting(Ended::call, Ended::outcome)
                .containsExactly(
                        tuple("R /p a /p", "ok"),
                        tuple("R /p b /p", "empty"),
                        tuple("R /p c /p", "timeout"),
                        tuple("R /p d /p", "interrupted"),
                        tuple("R /p e /p", "error"));
        assertThat(sink.ended.get(2).error()).isSameAs(timeout);
        assertThat(sink.ended.get(4).error()).isSameAs(failure);
    }

    /** Named like the replicated state's exception, but not it: the name alone means nothing. */
    private static final class CommandRejectedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CommandRejectedException() {
            super("refused");
        }
    }

    @Test
    void anAsynchronousCallsFailureIsNamedByTheCallerNotByAClassName() {
        FakeTicker ticker = new FakeTicker();
        Telemetry telemetry = new Telemetry(ticker);
        Following sink = new Following();
        telemetry.addSink(sink);
        Telemetry.Outcomes none = e -> null;
        Telemetry.Outcomes rejecting = e -> e instanceof IllegalArgumentException ? "rejected" : null;
        CompletableFuture<String> a = new CompletableFuture<>();
        CompletableFuture<String> b = new CompletableFuture<>();
        CompletableFuture<String> c = new CompletableFuture<>();
        var unusedA = telemetry.observeAsync("R /p", "a", "/p", () -> a, none);
        var unusedB = telemetry.observeAsync("R /p", "b", "/p", () -> b, rejecting);
        var unusedC = telemetry.observeAsync("R /p", "c", "/p", () -> c, rejecting);
        a.completeExceptionally(new CommandRejectedException());
        b.completeExceptionally(new IllegalArgumentException("refused"));
        c.completeExceptionally(new OperationTimeoutException(
                "/p", "not applied in time", OperationTimeoutException.Outcome.UNKNOWN, null));
        assertThat(sink.ended)
                .extracting(Ended::call, Ended::outcome)
                .containsExactly(
                        tuple("R /p a /p", "error"), tuple("R /p b /p", "rejected"), tuple("R /p c /p", "timeout"));
    }

    @Test
    void aProbeUnderASilencedPathReportsNothingAndTheRecipeAboveItStillDoes() throws Exception {
        FakeTicker ticker = new FakeTicker();
        Telemetry telemetry = new Telemetry(ticker);
        Following sink = new Following();
        telemetry.addSink(sink);
        Telemetry.Probe part = telemetry.probe("EventLog /rs/commands", "/rs/commands");
        telemetry.silenceUnder("/rs");
        Telemetry.Probe whole = telemetry.probe("ReplicatedState /rs", "/rs");
        Telemetry.Probe later = telemetry.probe("LeaderElection /rs/leader [a]", "/rs/leader");
        Telemetry.Probe beside = telemetry.probe("SharedState /rs2", "/rs2");
        for (Telemetry.Probe p : List.of(part, whole, later, beside)) {
            p.observe("call", () -> "x");
        }
        assertThat(sink.ended)
                .extracting(Ended::call)
                .containsExactly("ReplicatedState /rs call /rs", "SharedState /rs2 call /rs2");
    }

    @Test
    void withoutASinkThatFollowsEventsAProbeReadsNoClock() {
        FakeTicker ticker = new FakeTicker();
        Telemetry telemetry = new Telemetry(ticker);
        telemetry.addSink(new Following()); // follows calls only
        Telemetry.Probe probe = telemetry.probe("DistributedLock /l", "/l");
        assertThat(probe.start()).isEqualTo(Telemetry.UNTIMED);
        probe.timeSince(Telemetry.Event.LOCK_HOLD, Telemetry.UNTIMED);
        probe.count(Telemetry.Event.LOCK_LOST);
        assertThat(telemetry.timesDeliveries()).isFalse();
    }

    @Test
    void aPathSilencedAndReleasedSilencesOnlyTheProbesMadeMeanwhile() throws Exception {
        Telemetry telemetry = new Telemetry(new FakeTicker());
        Following sink = new Following();
        telemetry.addSink(sink);
        telemetry.silenceUnder("/r");
        Telemetry.Probe part = telemetry.probe("EventLog /r/log", "/r/log");
        Telemetry.Probe itself = telemetry.probe("ReplicatedState /r", "/r");
        part.observe("append", () -> 1);
        itself.observe("submit", () -> 1);
        assertThat(sink.ended).extracting(Ended::call).containsExactly("ReplicatedState /r submit /r");

        telemetry.endSilenceUnder("/r");
        Telemetry.Probe later = telemetry.probe("EventLog /r/log", "/r/log");
        later.observe("append", () -> 1);
        assertThat(sink.ended)
                .extracting(Ended::call)
                .containsExactly("ReplicatedState /r submit /r", "EventLog /r/log append /r/log");
    }
}
