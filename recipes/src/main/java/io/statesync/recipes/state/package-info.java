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
 * Shared state: one typed value in one znode that every node of a service follows and writes.
 *
 * <p>{@link io.statesync.recipes.state.SharedState} keeps a local copy of the value, tells its
 * {@link io.statesync.core.StateListener}s about every change in zxid order (INITIAL first, then
 * CREATED, UPDATED, DELETED, or RESYNCED after a connection gap it cannot account for), and writes
 * with compare-and-set: {@code compareAndSet}, and {@code update}, a compare-and-set loop whose
 * concurrent calls in one process are combined into one round trip. A write whose reply is lost to
 * a dropped connection is resolved through a per-instance marker znode written in the same {@code
 * multi}, so it is never applied twice.
 *
 * <p>ZooKeeper layout: the value's znode at the given path (parents are created as container
 * nodes), and one ephemeral marker per writing instance under {@code /.statesync/writers}.
 *
 * <p>See {@code docs/state.md}.
 */
@NullMarked
package io.statesync.recipes.state;

import org.jspecify.annotations.NullMarked;
