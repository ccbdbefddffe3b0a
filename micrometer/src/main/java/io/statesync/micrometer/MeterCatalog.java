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

import static io.statesync.micrometer.StateSyncMetrics.BATCH;
import static io.statesync.micrometer.StateSyncMetrics.CLAIM_AGE;
import static io.statesync.micrometer.StateSyncMetrics.COMMANDS_PENDING;
import static io.statesync.micrometer.StateSyncMetrics.CONFLICTS;
import static io.statesync.micrometer.StateSyncMetrics.DEAD_LETTERS;
import static io.statesync.micrometer.StateSyncMetrics.EPOCH;
import static io.statesync.micrometer.StateSyncMetrics.KEYS;
import static io.statesync.micrometer.StateSyncMetrics.LEADER;
import static io.statesync.micrometer.StateSyncMetrics.LEADER_CHANGES;
import static io.statesync.micrometer.StateSyncMetrics.LOCK_HELD;
import static io.statesync.micrometer.StateSyncMetrics.LOCK_HOLD;
import static io.statesync.micrometer.StateSyncMetrics.LOCK_LOSSES;
import static io.statesync.micrometer.StateSyncMetrics.LOCK_LOST;
import static io.statesync.micrometer.StateSyncMetrics.LOCK_TIMEOUTS;
import static io.statesync.micrometer.StateSyncMetrics.LOCK_WAITING;
import static io.statesync.micrometer.StateSyncMetrics.MEMBERS;
import static io.statesync.micrometer.StateSyncMetrics.POSITION;
import static io.statesync.micrometer.StateSyncMetrics.QUEUE_CLAIMS;
import static io.statesync.micrometer.StateSyncMetrics.QUEUE_DEPTH;
import static io.statesync.micrometer.StateSyncMetrics.REDELIVERIES;
import static io.statesync.micrometer.StateSyncMetrics.REPLICATED_LEADER_CHANGES;
import static io.statesync.micrometer.StateSyncMetrics.SUBSCRIBER_LAG;
import static io.statesync.micrometer.StateSyncMetrics.TAKEOVER_DELAY;
import static io.statesync.micrometer.StateSyncMetrics.TASK_RUNS;
import static io.statesync.micrometer.StateSyncMetrics.TASK_STOP;
import static io.statesync.micrometer.StateSyncMetrics.TURNS;
import static io.statesync.micrometer.StateSyncMetrics.UNKNOWN_RESOLVED;
import static io.statesync.micrometer.StateSyncMetrics.VERSION;

import io.micrometer.core.instrument.Tag;
import io.statesync.core.Coordinator;
import io.statesync.core.internal.ReportKeys;
import io.statesync.core.internal.Telemetry;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The catalogue of the per-recipe meters {@link StateSyncMetrics} derives from the recipes: which
 * report detail becomes which gauge, and which inner event becomes which counter, timer or summary,
 * each with its name, extra tag and description.
 */
final class MeterCatalog {
    private MeterCatalog() {}

    /** A number of the recipes' reports ({@link Coordinator#recipes()}) shown as a gauge per recipe. */
    record Detail(String key, String meter, String description) {}

    static final List<Detail> DETAILS = List.of(
            new Detail(ReportKeys.LEADER, LEADER, "1 while this node leads, else 0"),
            new Detail(ReportKeys.EPOCH, EPOCH, "the current leadership's epoch, its fencing token"),
            new Detail(ReportKeys.MEMBERS, MEMBERS, "members of the group this node sees"),
            new Detail(ReportKeys.KEYS, KEYS, "keys the state tree holds"),
            new Detail(ReportKeys.POSITION, POSITION, "the log position reached"),
            new Detail(ReportKeys.VERSION, VERSION, "the version held"),
            new Detail(ReportKeys.DEPTH, QUEUE_DEPTH, "items in the queue, as last counted"),
            new Detail(ReportKeys.CLAIMS_HELD, QUEUE_CLAIMS, "claims this node holds"),
            new Detail(ReportKeys.HELD, LOCK_HELD, "1 while this node holds the lock or a lease"),
            new Detail(ReportKeys.WAITING, LOCK_WAITING, "callers of this node waiting for the lock"),
            new Detail(ReportKeys.LOST, LOCK_LOST, "lock handles lost and not yet closed"),
            new Detail(ReportKeys.PENDING_COMMANDS, COMMANDS_PENDING, "commands submitted here and not yet applied"));

    /** What each inner event of a recipe becomes: a meter name, an extra tag, a description. */
    record Inner(String name, @Nullable Tag tag, String description) {}

    static Inner inner(Telemetry.Event event) {
        return switch (event) {
            case CONFLICT -> new Inner(CONFLICTS, null, "writes that lost the version race to another writer");
            case TURN_TAKEN -> new Inner(TURNS, null, "turns taken by a writer after losing several times in a row");
            case UNKNOWN_LANDED ->
                new Inner(UNKNOWN_RESOLVED, Tag.of("result", "landed"), "writes whose reply was lost, by resolution");
            case UNKNOWN_NOT_LANDED ->
                new Inner(
                        UNKNOWN_RESOLVED, Tag.of("result", "not_landed"), "writes whose reply was lost, by resolution");
            case UNKNOWN_UNRESOLVED ->
                new Inner(
                        UNKNOWN_RESOLVED, Tag.of("result", "unresolved"), "writes whose reply was lost, by resolution");
            case LOCK_HOLD -> new Inner(LOCK_HOLD, null, "how long a lock handle was held, until released or lost");
            case LOCK_TIMEOUT -> new Inner(LOCK_TIMEOUTS, null, "acquires that gave up at their timeout");
            case LOCK_LOST ->
                new Inner(LOCK_LOSSES, null, "lock handles lost (session, znode gone, connection policy)");
            case ELECTED -> new Inner(LEADER_CHANGES, Tag.of("change", "elected"), "this node's leadership changes");
            case STEPPED_DOWN ->
                new Inner(LEADER_CHANGES, Tag.of("change", "stepped_down"), "this node's leadership changes");
            case TAKEOVER_DELAY -> new Inner(TAKEOVER_DELAY, null, "the wait before leading after an unclean handover");
            case TASK_RUN -> new Inner(TASK_RUNS, null, "runs of the leader's task (ticks of a scheduled task)");
            case TASK_STOP -> new Inner(TASK_STOP, null, "how long the leader's task took to return once told to stop");
            case SUBSCRIBER_LAG ->
                new Inner(SUBSCRIBER_LAG, null, "later events already read when a listener received an event");
            case REDELIVERY -> new Inner(REDELIVERIES, null, "items claimed again after an earlier delivery");
            case DEAD_LETTER_EXHAUSTED ->
                new Inner(DEAD_LETTERS, Tag.of("cause", "DELIVERIES_EXHAUSTED"), "items moved to the dead letters");
            case DEAD_LETTER_UNDECODABLE ->
                new Inner(DEAD_LETTERS, Tag.of("cause", "UNDECODABLE"), "items moved to the dead letters");
            case CLAIM_AGE ->
                new Inner(CLAIM_AGE, null, "how long a claim was held, until acknowledged, given back or lost");
            case BATCH -> new Inner(BATCH, null, "commands per batch the leader applied and published");
            case REPLICATED_LEADER ->
                new Inner(REPLICATED_LEADER_CHANGES, null, "times this node became the replicated state's leader");
        };
    }
}
