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
 * Leader election with fencing epochs, leader-guarded writes and singleton tasks.
 *
 * <p>{@link io.statesync.recipes.leader.LeaderElection} elects one leader among the participants of
 * an election path (ephemeral sequential znodes; each participant watches its predecessor). Who
 * leads reaches {@link io.statesync.core.StateListener}s as a {@link
 * io.statesync.recipes.leader.Leadership} value whose epoch (the czxid of the leader's znode)
 * strictly increases across leaders and serves as a fencing token. {@link
 * io.statesync.recipes.leader.LeaderElection#write(io.statesync.core.GuardedWrite)} writes only while this node leads.
 * A {@link io.statesync.recipes.leader.LeaderTask} given to the builder runs only on the leader (once,
 * or on a schedule), is interrupted on every loss of leadership before anyone is told, and its stops
 * are reported as {@link io.statesync.recipes.leader.TaskStop}s.
 *
 * <p>ZooKeeper layout under the election path: one {@code _c_<uuid>-p-<sequence>} ephemeral znode per
 * participant (data: {@code id\nmetadata}); the election path's own data holds the handover marker
 * ({@code leading:<epoch>} or {@code released:<epoch>}) that tells a successor whether its
 * predecessor handed over cleanly. See {@code docs/leader.md}.
 */
@NullMarked
package io.statesync.recipes.leader;

import org.jspecify.annotations.NullMarked;
