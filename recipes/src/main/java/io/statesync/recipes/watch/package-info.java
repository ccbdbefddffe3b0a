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
