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
 * Fenced distributed locks on ZooKeeper: a mutex ({@link io.statesync.recipes.lock.DistributedLock}),
 * a read-write lock ({@link io.statesync.recipes.lock.DistributedReadWriteLock}) and a counting
 * semaphore ({@link io.statesync.recipes.lock.DistributedSemaphore}).
 *
 * <p>All three hand out {@link io.statesync.recipes.lock.LockHandle}s: values, not thread state. A
 * handle carries a fencing token (the czxid of its holder znode, strictly increasing across
 * successive holders of one lock), tells when it stops being valid ({@link
 * io.statesync.recipes.lock.LockHandle#isValid()} and {@link
 * io.statesync.recipes.lock.LockLostListener}s), and runs lock-guarded writes: one ZooKeeper
 * {@code multi} with a {@code check} of the holder's own znode, so that a holder that was deposed
 * without noticing cannot write over its successor. {@link io.statesync.recipes.lock.FencedResource}
 * shows how a resource outside ZooKeeper rejects a stale holder by its token.
 *
 * <p>Layout: every lock lives under its own path; each waiter and holder is one ephemeral
 * sequential child named {@code <kind>-<uuid>-<sequence>} (kind {@code lock}, {@code read},
 * {@code write} or {@code lease}). The parent is a container node, removed by the server when it is
 * empty. See {@code docs/locks.md}.
 */
@NullMarked
package io.statesync.recipes.lock;

import org.jspecify.annotations.NullMarked;
