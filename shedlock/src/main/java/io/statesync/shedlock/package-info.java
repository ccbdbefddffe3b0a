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
 * A ShedLock {@code LockProvider} backed by statesync's fenced ZooKeeper mutex. {@link
 * io.statesync.shedlock.StateSyncLockProvider} replaces the provider bean of an application that
 * uses {@code @SchedulerLock}; a task reads its fencing token through {@link
 * io.statesync.shedlock.StateSyncLockProvider#currentLock()}. What {@code lockAtMostFor} and {@code
 * lockAtLeastFor} mean here is in the provider's class documentation and in {@code docs/adapters.md}.
 */
@NullMarked
package io.statesync.shedlock;

import org.jspecify.annotations.NullMarked;
