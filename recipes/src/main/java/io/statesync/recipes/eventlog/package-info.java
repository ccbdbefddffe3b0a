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
/**
 * An append-only event log on ZooKeeper, and state rebuilt from it on every node.
 *
 * <p>{@link io.statesync.recipes.eventlog.EventLog} appends events (one, or many atomically and
 * packed several to a znode), gives each a dense, totally ordered position, reads from a position,
 * and lets subscribers follow it from a position: every event exactly once, in append order, with
 * no gap, across reconnects and session expiry. Storage is segmented (no znode holds more than
 * {@code segmentSize} or {@code groupSize} children, default 1,000 each) so the log grows until
 * ZooKeeper's disk, not a list call, is the limit. History can be truncated; a read or subscription
 * before the earliest retained position fails with {@link
 * io.statesync.core.HistoryTruncatedException}, which carries that position.
 *
 * <p>{@link io.statesync.recipes.eventlog.EventSourcedState} folds the log with a pure reducer into
 * a state value, delivers it through {@link io.statesync.core.StateListener}, and writes and loads
 * snapshots (chunked behind an atomically switched manifest when over the znode limit) so that a
 * starting node replays only the tail, and old segments can be compacted.
 *
 * <p>The storage layout, the ordering and exactly-once argument, and the limits are described in
 * {@code docs/eventlog.md}.
 */
@NullMarked
package io.statesync.recipes.eventlog;

import org.jspecify.annotations.NullMarked;
