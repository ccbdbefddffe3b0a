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
package io.statesync.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event-log checker on small histories whose verdict is known. */
@Timeout(30)
class EventLogHistoryTest {
    /** The lines of a node that appended nothing and read, decided and replayed {@code log}. */
    private static List<String> reader(List<String> log, int delivered) {
        List<String> lines = new ArrayList<>();
        long maxEpoch = -1;
        for (int p = 0; p < delivered; p++) {
            String id = log.get(p);
            lines.add("READ " + p + " " + id + " " + p);
            long epoch = EventLogNode.epochOf(id);
            if (epoch >= 0) {
                lines.add((epoch >= maxEpoch ? "APPLY " : "FENCED ") + p + " " + id);
                maxEpoch = Math.max(maxEpoch, epoch);
            }
        }
        for (int p = 0; p < log.size(); p++) {
            lines.add("REPLAY " + p + " " + log.get(p));
        }
        return lines;
    }

    /** The lines of a node that appended {@code ids} and read all of {@code log}. */
    private static List<String> appender(List<String> ids, List<String> log) {
        List<String> lines = new ArrayList<>();
        for (int p = 0; p < ids.size(); p++) {
            lines.add("INVOKE " + ids.get(p) + " 0");
            lines.add("OK " + ids.get(p) + " " + p + " 1");
        }
        lines.addAll(reader(log, log.size()));
        return lines;
    }

    @Test
    void aDeposedLeadersLateEventIsFencedAndEveryReaderThatFencedItPasses() {
        List<String> log = List.of("L5.a-1", "c-1", "L7.b-1", "L5.a-2", "L7.b-2");
        EventLogHistory history = new EventLogHistory();
        history.read("w", appender(log, log), true);
        history.read("r", reader(log, log.size()), true);

        assertThat(history.check()).isEmpty();
        assertThat(history.deposedAppends()).containsExactly("3 L5.a-2");
    }

    @Test
    void aSubscriptionClosedBeforeItsListenerRanForTheLogsEndIsReported() {
        List<String> log = List.of("L5.a-1", "c-1", "L7.b-1", "L7.b-2");
        EventLogHistory history = new EventLogHistory();
        history.read("w", appender(log, log), true);
        history.read("r", reader(log, 2), true);

        assertThat(history.check())
                .contains("r's subscription delivered 2 of 4 events before it was closed")
                .anyMatch(v -> v.startsWith("r decided null at position 2"));
    }

    @Test
    void anAcknowledgedAppendMissingFromTheLogAndOneInItTwiceAreReported() {
        List<String> log = List.of("c-1", "c-1");
        EventLogHistory history = new EventLogHistory();
        history.read("w", appender(List.of("c-1", "c-2"), log), true);
        history.read("r", reader(log, log.size()), true);

        assertThat(history.check())
                .contains("appended once (OK), in the log 2 times, at [0, 1]: c-1")
                .contains("acknowledged at position 1, in the log at []: c-2");
    }
}
