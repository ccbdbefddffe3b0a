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
