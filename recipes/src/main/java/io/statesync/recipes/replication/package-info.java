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
 * Leader-follower replicated state: one elected leader changes the state, every node follows it.
 *
 * <p>{@link io.statesync.recipes.replication.ReplicatedState} takes an initial state and a
 * deterministic transition {@code (S, C) -> S}. Any node submits a command; commands travel through
 * an {@link io.statesync.recipes.eventlog.EventLog} (append = submit, so each command gets one
 * position and is applied at most once per position); the leader, elected by a {@link
 * io.statesync.recipes.leader.LeaderElection}, applies them in position order and publishes the new
 * state together with the position it covers in one leader-guarded ZooKeeper {@code multi}, so a
 * deposed leader can never publish. Every node, the leader included, takes the state from what was
 * published and delivers it through {@link io.statesync.core.StateListener}; a submitter's future
 * completes when a published state covers its command.
 *
 * <p>ZooKeeper layout under the recipe's path: {@code state} (the published state and its
 * position), {@code commands} (the command log), {@code leader} (the election). The failover
 * argument, the size limit and the choice between this recipe, shared state and the event log are
 * in {@code docs/replication.md}.
 */
@NullMarked
package io.statesync.recipes.replication;

import org.jspecify.annotations.NullMarked;
