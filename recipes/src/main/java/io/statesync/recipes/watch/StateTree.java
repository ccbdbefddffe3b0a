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
package io.statesync.recipes.watch;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.Listenable;
import io.statesync.core.Recipe;
import io.statesync.core.StateSyncException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.BuilderOptions;
import io.statesync.core.internal.ZPaths;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A watched subtree as a typed map: each child znode of the tree's path is one key, its data one
 * value. The one watcher of statesync (instead of Curator's node, children and tree caches): a
 * local copy of every key, kept current through one ZooKeeper persistent recursive watch, with
 * per-key changes delivered to {@link io.statesync.core.StateListener}s, and map-style writes.
 *
 * <pre>{@code
 * try (StateTree<String> flags = StateTree.builder(coordinator, "/flags", Codec.utf8()).build()) {
 *     flags.addListener(change -> log.info("{} is now {}", change.path(), change.current()));
 *     flags.start();
 *     flags.awaitInitialized(Duration.ofSeconds(10));
 *     flags.put("checkout-v2", "on");
 *     Map<String, Versioned<String>> all = flags.snapshot();
 * }
 * }</pre>
 *
 * <p><b>Guarantees.</b> Per key, the rules of {@link io.statesync.recipes.state.SharedState}: a
 * listener sees INITIAL for every key present when it starts listening (CREATED for keys that
 * appear later), then changes whose {@code mzxid} strictly increases — across reconnects, session
 * expiry and server failover; a key deleted and re-created is DELETED then CREATED; after a
 * connection gap every key is re-read (after a {@code sync}) and a change that is not provably the
 * direct successor of the last one shown is announced as RESYNCED. Listeners may skip
 * intermediate values of a key but always land on the latest. Changes of different keys are
 * delivered in the order this client learned of them. Only direct children are keys; deeper znodes
 * are ignored. Undecodable data reaches {@link io.statesync.core.StateListener#onError} with the
 * path and version; the key keeps its last good value.
 *
 * <p><b>Connection loss.</b> Listeners receive every connection transition in order with the data
 * changes. On SUSPENDED the local map is kept (possibly stale). On RECONNECTED with the same
 * session the watch is still in place and every key is re-read; on LOST and a RECONNECTED with a
 * new session the watch is set again and every key re-read after a {@code sync}. Writes in flight
 * wait for the connection within the coordinator's retry policy and never past the call's deadline
 * (the coordinator's {@link Coordinator#operationTimeout()}, or the timeout given); a
 * compare-and-set whose reply was lost is resolved through this instance's marker (see {@link
 * #compareAndSet(String, Versioned, Object, Duration)}).
 *
 * <p><b>Threading.</b> Thread-safe. {@link #get}, {@link #snapshot()} and {@link #size()} never
 * block and never go to the server. Listeners run through statesync's delivery engine.
 *
 * <p><b>Limits.</b> Loading and re-reading pipeline one read per key; 10,000 keys load in well under
 * a second on a local server. The child list of the tree's znode must fit in one ZooKeeper reply
 * ({@code jute.maxbuffer}, 1 MB by default: about 50,000 keys of 16 characters). Once loaded, a key
 * costs one map entry, its name, one {@link Versioned} and its value: about 135 bytes plus the
 * name's characters and the value (about 2 MiB for 10,000 keys of 8 characters with 64-byte
 * values); while a load or re-read runs, keys being read carry about 90 bytes more each.
 *
 * @param <T> the value type
 */
public interface StateTree<T> extends Recipe, Listenable<T> {

    /**
     * Starts building a state tree.
     *
     * @param coordinator the connection
     * @param path the tree's znode, relative to the coordinator's namespace; created (with its
     *     parents) at start if absent
     * @param codec how values are stored
     * @param <T> the value type
     * @return a builder
     */
    static <T> Builder<T> builder(Coordinator coordinator, String path, Codec<T> codec) {
        return new Builder<>(coordinator, path, codec);
    }

    /**
     * The tree's znode path, relative to the coordinator's namespace. A key's path is this path,
     * {@code /}, and the key.
     *
     * @return the path
     */
    String path();

    /**
     * Waits until the first load after {@link #start()} completed (and listeners got their INITIAL
     * changes).
     *
     * @param timeout how long to wait
     * @return {@code true} if initialized, {@code false} if the timeout passed
     * @throws InterruptedException if interrupted
     */
    boolean awaitInitialized(Duration timeout) throws InterruptedException;

    /**
     * Every key with a decodable value, as seen locally. An immutable copy.
     *
     * @return key to value
     */
    Map<String, Versioned<T>> snapshot();

    /**
     * One key's local value, without a round trip.
     *
     * @param key the key (a child name)
     * @return its value, or empty if absent (or never decodable)
     * @throws IllegalArgumentException if the key is not a valid child name
     */
    Optional<Versioned<T>> get(String key);

    /**
     * How many keys have a decodable value locally.
     *
     * @return the count
     */
    int size();

    /**
     * Reads one key as of now, within the coordinator's {@link Coordinator#operationTimeout()}; see
     * {@link #read(String, Duration)}.
     *
     * @param key the key
     * @return its value, or empty if the key does not exist
     * @throws InterruptedException if the thread was interrupted before the read started
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while waiting (its interrupt flag set again); nothing changed
     * @throws io.statesync.core.DecodingException if the stored data does not decode
     * @throws io.statesync.core.ConnectionLossException if the connection stayed lost for more
     *     retries than the coordinator's {@link io.statesync.core.Retry} policy allows
     * @throws IllegalArgumentException if the key is invalid; nothing was sent
     * @throws StateSyncException typed, for other failures (e.g. access denied)
     * @throws IllegalStateException if not started, or closed
     */
    Optional<Versioned<T>> read(String key) throws InterruptedException;

    /**
     * Reads one key as of now: a quorum operation (a version check committed like a write), then a
     * read, so that it reflects every write that completed anywhere before the call (a {@code sync}
     * would not: on the ensemble's leader it does not wait for commits); the local value is updated
     * too. Costs one transaction. This is the fresh base a compare-and-set loop needs after a
     * conflict.
     *
     * @param key the key
     * @param timeout how long the call may take at most
     * @return its value, or empty if the key does not exist
     * @throws InterruptedException if the thread was interrupted before the read started
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while waiting (its interrupt flag set again); nothing changed
     * @throws io.statesync.core.DecodingException if the stored data does not decode
     * @throws io.statesync.core.ConnectionLossException if the connection stayed lost for more
     *     retries than the retry policy allows
     * @throws IllegalArgumentException if the key is invalid or the timeout negative; nothing was
     *     sent
     * @throws StateSyncException typed, for other failures (e.g. access denied)
     * @throws IllegalStateException if not started, or closed
     */
    Optional<Versioned<T>> read(String key, Duration timeout) throws InterruptedException;

    /**
     * Writes a key unconditionally within the coordinator's {@link Coordinator#operationTimeout()};
     * see {@link #put(String, Object, Duration)}.
     *
     * @param key the key
     * @param value the value
     * @return the value as written
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException as {@link #put(String, Object, Duration)}
     * @throws IllegalArgumentException if the key is invalid; nothing was sent
     * @throws io.statesync.core.ValueTooLargeException if the encoded value is over the limit;
     *     nothing was sent
     * @throws io.statesync.core.ConnectionLossException if the connection stayed lost for more
     *     retries than the retry policy allows; whether the write landed is unknown
     * @throws StateSyncException typed, if the write fails
     * @throws IllegalStateException if not started, or closed
     */
    Versioned<T> put(String key, T value) throws InterruptedException;

    /**
     * Writes a key unconditionally, creating it if absent. After a lost reply the key is re-read: if
     * it holds exactly these bytes, the key is as this write would leave it and the write is not sent
     * again (the version returned is then the key's, which may be another writer's identical write);
     * otherwise it is sent again (it is unconditional, so a write another node made in between may
     * be overwritten). Writes of one instance are sent one at a time.
     *
     * @param key the key
     * @param value the value
     * @param timeout how long the call may take at most, waiting for this instance's other writes
     *     included
     * @return the value as written
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while the write was under way (its interrupt flag set again); {@link
     *     io.statesync.core.OperationTimeoutException#outcome()} says whether it may have landed
     * @throws IllegalArgumentException if the key is invalid or the timeout negative; nothing was
     *     sent
     * @throws io.statesync.core.ValueTooLargeException if the encoded value is over the limit;
     *     nothing was sent
     * @throws io.statesync.core.ConnectionLossException if the connection stayed lost for more
     *     retries than the retry policy allows; whether the write landed is unknown
     * @throws StateSyncException typed, if the write fails (e.g. access denied)
     * @throws IllegalStateException if not started, or closed
     */
    Versioned<T> put(String key, T value, Duration timeout) throws InterruptedException;

    /**
     * Compare-and-set of one key within the coordinator's {@link Coordinator#operationTimeout()};
     * see {@link #compareAndSet(String, Versioned, Object, Duration)}.
     *
     * @param key the key
     * @param expected the value the caller read
     * @param next the new value
     * @return the value as written, or empty on a conflict (including a deleted key)
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException as {@link #compareAndSet(String,
     *     Versioned, Object, Duration)}
     * @throws IllegalArgumentException if the key is invalid; nothing was sent
     * @throws io.statesync.core.ValueTooLargeException if the encoded value is over the limit
     * @throws io.statesync.core.ConnectionLossException as {@link #compareAndSet(String, Versioned,
     *     Object, Duration)}
     * @throws StateSyncException typed, for failures other than a conflict
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if {@code /.statesync} (the writers' markers) is in a
     *     newer release's data layout; nothing was written
     */
    Optional<Versioned<T>> compareAndSet(String key, Versioned<T> expected, T next) throws InterruptedException;

    /**
     * Writes {@code next} only if the key still holds {@code expected}'s version. The write goes out
     * in one {@code multi} with a version-checked write of this instance's own marker znode, as
     * {@link io.statesync.recipes.state.SharedState}'s writes do: if the reply is lost, the marker
     * says whether the write landed (it moved if and only if the write did), so the answer is never
     * a guess, even when another client wrote the very same bytes meanwhile. If the session ended
     * with the write in flight, the marker is gone with it: an unmoved key means the write is sent
     * again (it cannot land twice: it is version-checked), a moved key fails with {@link
     * io.statesync.core.ConnectionLossException} (outcome unknown). Writes of one instance are sent
     * one at a time.
     *
     * @param key the key
     * @param expected the value the caller read
     * @param next the new value
     * @param timeout how long the call may take at most, waiting for this instance's other writes
     *     included
     * @return the value as written, with its version and zxids, or empty on a conflict (including a
     *     deleted key)
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while the write was under way (its interrupt flag set again); {@link
     *     io.statesync.core.OperationTimeoutException#outcome()} says whether it may have landed
     * @throws IllegalArgumentException if the key is invalid or the timeout negative; nothing was
     *     sent
     * @throws io.statesync.core.ValueTooLargeException if the encoded value is over the limit
     * @throws io.statesync.core.ConnectionLossException if the session ended with the write in
     *     flight and the key moved (outcome unknown, not retried), or the connection stayed lost for
     *     more retries than the retry policy allows
     * @throws StateSyncException typed, for failures other than a conflict
     * @throws IllegalStateException if not started, or closed
     * @throws io.statesync.core.IncompatibleLayoutException if {@code /.statesync} (the writers' markers) is in a
     *     newer release's data layout; nothing was written
     */
    Optional<Versioned<T>> compareAndSet(String key, Versioned<T> expected, T next, Duration timeout)
            throws InterruptedException;

    /**
     * Deletes a key within the coordinator's {@link Coordinator#operationTimeout()}.
     *
     * @param key the key
     * @return {@code true} if it existed
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException as {@link #remove(String, Duration)}
     * @throws IllegalArgumentException if the key is invalid; nothing was sent
     * @throws StateSyncException typed, if the delete fails (e.g. the key has children)
     * @throws IllegalStateException if not started, or closed
     */
    boolean remove(String key) throws InterruptedException;

    /**
     * Deletes a key.
     *
     * @param key the key
     * @param timeout how long the call may take at most
     * @return {@code true} if it existed
     * @throws InterruptedException if the thread was interrupted before anything was sent
     * @throws io.statesync.core.OperationTimeoutException if the timeout passed, or the thread was
     *     interrupted while the delete was under way (its interrupt flag set again; the outcome is
     *     unknown)
     * @throws IllegalArgumentException if the key is invalid or the timeout negative; nothing was
     *     sent
     * @throws io.statesync.core.ConnectionLossException if the connection stayed lost for more
     *     retries than the retry policy allows
     * @throws StateSyncException typed, if the delete fails (e.g. the key has children)
     * @throws IllegalStateException if not started, or closed
     */
    boolean remove(String key, Duration timeout) throws InterruptedException;

    /**
     * Builds a {@link StateTree}. {@link #build()} validates.
     *
     * @param <T> the value type
     */
    final class Builder<T> {
        private final Coordinator coordinator;
        private final String path;
        private final Codec<T> codec;
        private final BuilderOptions options = new BuilderOptions();
        private int loadBatch = 1000;

        private Builder(Coordinator coordinator, String path, Codec<T> codec) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
            this.path = Objects.requireNonNull(path, "path");
            this.codec = Objects.requireNonNull(codec, "codec");
        }

        /**
         * How many reads a load or re-read keeps in flight at once (default 1,000): more loads
         * faster, fewer keeps the client's queue and the server's load small.
         *
         * @param reads 1 to 100,000
         * @return this builder
         */
        public Builder<T> loadBatch(int reads) {
            options.once("loadBatch");
            this.loadBatch = reads;
            return this;
        }

        /**
         * Validates and builds the tree, not yet started. Nothing touches the network.
         *
         * @return the tree
         * @throws IllegalArgumentException naming the option or path at fault
         */
        public StateTree<T> build() {
            ZPaths.validate(path);
            if (loadBatch < 1 || loadBatch > 100_000) {
                throw new IllegalArgumentException("loadBatch must be between 1 and 100000, was " + loadBatch);
            }
            return new DefaultStateTree<>(coordinator, path, codec, loadBatch);
        }
    }
}
