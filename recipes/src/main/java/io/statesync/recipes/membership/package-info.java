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
 * Group membership: every node registers an ephemeral member with typed metadata and sees every
 * member of the group.
 *
 * <p>{@link io.statesync.recipes.membership.GroupMembership} keeps one ephemeral znode per member
 * ({@code <path>/<memberId>}, data: the metadata encoded with the group's {@link
 * io.statesync.core.Codec}), re-registers it after a session expiry, deletes it on close, and
 * delivers joins, metadata changes and leaves to {@link io.statesync.core.StateListener}s as changes
 * of {@link io.statesync.recipes.membership.Member} values. See {@code docs/membership.md}.
 */
@NullMarked
package io.statesync.recipes.membership;

import org.jspecify.annotations.NullMarked;
