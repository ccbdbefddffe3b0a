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

/**
 * The keys of the numbers in the recipes' reports ({@code Coordinator.recipes()}, the details of
 * each recipe's health) that metrics show, in one place: the recipes write them, the Micrometer
 * module reads them. The details and their meaning are listed in docs/observability.md.
 */
public final class ReportKeys {
    /** 1 while this node leads (leader election, replicated state). */
    public static final String LEADER = "leader";

    /** The current leadership's epoch (leader election, replicated state). */
    public static final String EPOCH = "epoch";

    /** The members of the group this node sees. */
    public static final String MEMBERS = "members";

    /** The keys a state tree holds. */
    public static final String KEYS = "keys";

    /** The log position reached (subscription, event-sourced state). */
    public static final String POSITION = "position";

    /** The version held (shared state, replicated state). */
    public static final String VERSION = "version";

    /** Items in a work queue, as last counted. */
    public static final String DEPTH = "depth";

    /** Claims of a work queue this node holds. */
    public static final String CLAIMS_HELD = "claimsHeld";

    /** Whether this node holds the lock or a lease. */
    public static final String HELD = "held";

    /** This node's callers waiting for the lock. */
    public static final String WAITING = "waiting";

    /** Lock handles lost and not yet closed. */
    public static final String LOST = "lost";

    /** Commands submitted on this node and not yet applied (replicated state). */
    public static final String PENDING_COMMANDS = "pendingCommands";

    private ReportKeys() {}
}
