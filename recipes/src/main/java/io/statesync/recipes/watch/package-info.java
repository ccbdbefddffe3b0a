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
 * Watching a subtree: {@link io.statesync.recipes.watch.StateTree}, a typed map view of the
 * children of one znode, kept current through one ZooKeeper persistent recursive watch.
 *
 * <p>The one watcher of statesync, in place of Curator's node, children and tree caches: it loads
 * every key with pipelined reads, then follows each key by the zxid of ZooKeeper's watch events,
 * delivering per-key INITIAL, CREATED, UPDATED, DELETED and RESYNCED changes to {@link
 * io.statesync.core.StateListener}s with the same ordering rules as {@link
 * io.statesync.recipes.state.SharedState}. It also writes: {@code put}, {@code compareAndSet},
 * {@code remove}.
 *
 * <p>See {@code docs/state.md}.
 */
@NullMarked
package io.statesync.recipes.watch;

import org.jspecify.annotations.NullMarked;
