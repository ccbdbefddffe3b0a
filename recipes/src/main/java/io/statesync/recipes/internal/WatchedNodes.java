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
package io.statesync.recipes.internal;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.DecodingException;
import io.statesync.core.Versioned;
import io.statesync.core.internal.Codecs;
import org.jspecify.annotations.Nullable;

/**
 * The local view of watched znodes, one or many, and the one rule by which it changes: a node's
 * state moves only to a higher {@code mzxid} than any seen for it ("never go back"), so a watch
 * event, a read reply and a write reply may arrive in any mix and the view still only moves
 * forward. Gaps (a disconnection, a new handle) are counted in epochs: a node whose next state is
 * applied in a later epoch than its last was verified in, and is not the direct successor of what
 * was shown, is reported as {@link ChangeKind#RESYNCED} rather than as an update.
 *
 * <p>The caller owns the lock and the nodes ({@link Node}, one per key); every method here runs
 * under the caller's lock. What the rules decide goes to a {@link Sink}: the new shown value of a
 * key, the change to report to listeners (only once the view is {@linkplain #initialized()
 * initialized}; before that the caller reports {@link ChangeKind#INITIAL} itself), and a value that
 * does not decode (reported once per {@code mzxid}, since a value is decoded only for a higher one).
 *
 * @param <T> the type of the values
 */
public final class WatchedNodes<T> {

    /** Where the view's decisions go; called under the caller's lock. */
    public interface Sink<T> {
        /**
         * The value shown for {@code key} changed.
         *
         * @param key the key
         * @param value the value now shown, {@code null} if none
         */
        void shown(String key, @Nullable Versioned<T> value);

        /**
         * A change to report to listeners.
         *
         * @param key the key
         * @param kind what happened
         * @param previous the value shown before, {@code null} if none
         * @param current the value shown now, {@code null} if none
         */
        void changed(String key, ChangeKind kind, @Nullable Versioned<T> previous, @Nullable Versioned<T> current);

        /**
         * The value stored at a new {@code mzxid} of {@code key} does not decode; the shown value
         * stays as it was.
         *
         * @param key the key
         * @param error the error, naming the path and version
         */
        void undecodable(String key, DecodingException error);
    }

    /** What the view knows of one node (also kept, as a tombstone, after a delete). */
    public static final class Node<T> {
        /** Whether the node exists, as last seen. */
        public boolean exists;
        /** The node's creation zxid as last seen, -1 if never seen. */
        public long czxid = -1;
        /** The highest zxid seen for the node (its mzxid, or the zxid of its delete); -1 if none. */
        public long mzxid = -1;
        /** The node's data version as last seen, -1 if never seen. */
        public int version = -1;
        /** The gap epoch in which the node's state was last verified, -1 if never. */
        public int verifiedEpoch = -1;
        /** The value shown for the node, {@code null} if none. */
        public @Nullable Versioned<T> shown;
        /** The handle a read of the node is in flight on, {@code null} if none. */
        public @Nullable Object readInFlightOn;

        /** A node not seen yet. */
        public Node() {}

        /**
         * A node as a shown value describes it.
         *
         * @param shown the value shown
         * @param verifiedEpoch the gap epoch it was verified in
         */
        public Node(Versioned<T> shown, int verifiedEpoch) {
            this.exists = true;
            this.czxid = shown.czxid();
            this.mzxid = shown.mzxid();
            this.version = shown.version();
            this.verifiedEpoch = verifiedEpoch;
            this.shown = shown;
        }

        /**
         * Whether a watch event at {@code zxid} may tell this node something new: its zxid is unknown
         * or above every zxid seen for the node.
         *
         * @param zxid the event's zxid, or {@code WatchedEvent.NO_ZXID} ({@code -1}) if unknown
         * @return whether the event is not known to be old
         */
        public boolean mayBeNewer(long zxid) {
            return zxid == NO_ZXID || zxid > mzxid;
        }
    }

    /** An unknown zxid (ZooKeeper's {@code WatchedEvent.NO_ZXID}). */
    public static final long NO_ZXID = -1L;

    /** How a node's delete, or its re-creation (a new czxid), first seen after a gap is reported. */
    public enum AfterGap {
        /** As {@link ChangeKind#RESYNCED}, like any other state first seen after a gap. */
        RESYNCED,
        /**
         * As {@link ChangeKind#DELETED} (then {@link ChangeKind#CREATED} for a re-creation), as
         * without a gap: the node's absence, or its new czxid, proves that the node shown was
         * deleted (a member that left is seen to leave).
         */
        DELETED
    }

    private final Codec<T> codec;
    private final KeyPaths keyPaths;
    private final Sink<T> sink;
    private final AfterGap afterGap;
    private int gapEpoch;
    private boolean initialized;

    /** Maps a key to the path named in errors and changes. */
    @FunctionalInterface
    public interface KeyPaths {
        /**
         * The path of a key.
         *
         * @param key the key
         * @return its path, relative to the coordinator's namespace
         */
        String pathOf(String key);
    }

    /**
     * A view.
     *
     * @param codec decodes the nodes' data
     * @param keyPaths the path of each key, for changes and errors
     * @param sink where the view's decisions go
     */
    public WatchedNodes(Codec<T> codec, KeyPaths keyPaths, Sink<T> sink) {
        this(codec, keyPaths, sink, AfterGap.RESYNCED);
    }

    /**
     * A view that reports a delete or a re-creation first seen after a gap as {@code afterGap} says.
     *
     * @param codec decodes the nodes' data
     * @param keyPaths the path of each key, for changes and errors
     * @param sink where the view's decisions go
     * @param afterGap how a delete or a re-creation first seen after a gap is reported
     */
    public WatchedNodes(Codec<T> codec, KeyPaths keyPaths, Sink<T> sink, AfterGap afterGap) {
        this.codec = codec;
        this.keyPaths = keyPaths;
        this.sink = sink;
        this.afterGap = afterGap;
    }

    /** Records a gap: events may have been missed since, until each node is read again. */
    public void gap() {
        gapEpoch++;
    }

    /**
     * The current gap epoch.
     *
     * @return the number of gaps recorded
     */
    public int gapEpoch() {
        return gapEpoch;
    }

    /**
     * Whether the first read is in: changes are reported from then on.
     *
     * @return whether initialized
     */
    public boolean initialized() {
        return initialized;
    }

    /** Marks the first read as in; the caller reports INITIAL. */
    public void markInitialized() {
        initialized = true;
    }

    /**
     * Applies a state of the node read (or written) at {@code mzxid}: ignored unless newer than
     * anything seen for the node; a change is reported to the sink.
     *
     * @param key the node's key
     * @param k the node
     * @param czxid its creation zxid
     * @param mzxid its modification zxid
     * @param version its data version
     * @param data its data
     */
    public void applyPresent(String key, Node<T> k, long czxid, long mzxid, int version, byte[] data) {
        boolean gap = k.verifiedEpoch != gapEpoch;
        if (mzxid < k.mzxid || (mzxid == k.mzxid && !(k.exists && czxid == k.czxid))) {
            return; // older than what this view has seen: never go back
        }
        k.verifiedEpoch = gapEpoch;
        if (mzxid == k.mzxid) {
            return; // unchanged
        }
        boolean successor = k.exists && czxid == k.czxid && version == k.version + 1;
        k.exists = true;
        k.czxid = czxid;
        k.mzxid = mzxid;
        k.version = version;
        T value;
        try {
            value = Codecs.decode(codec, keyPaths.pathOf(key), version, data);
        } catch (DecodingException e) {
            // Once per mzxid: decoding happens only for an mzxid above any seen for the node.
            sink.undecodable(key, e);
            return;
        }
        Versioned<T> next = Versioned.of(value, version, czxid, mzxid);
        Versioned<T> prev = k.shown;
        k.shown = next;
        sink.shown(key, next);
        if (!initialized) {
            return;
        }
        boolean recreated = prev != null && prev.czxid() != czxid;
        if (prev == null) {
            sink.changed(key, ChangeKind.CREATED, null, next);
        } else if (gap && !successor && !(recreated && afterGap == AfterGap.DELETED)) {
            sink.changed(key, ChangeKind.RESYNCED, prev, next);
        } else if (recreated) {
            sink.changed(key, ChangeKind.DELETED, prev, null);
            sink.changed(key, ChangeKind.CREATED, null, next);
        } else {
            sink.changed(key, ChangeKind.UPDATED, prev, next);
        }
    }

    /**
     * Applies the node's absence: seen in a delete event at {@code zxid}, or read ({@link
     * #NO_ZXID}); ignored if the zxid is not above everything seen for the node.
     *
     * @param key the node's key
     * @param k the node
     * @param zxid the delete's zxid, or {@link #NO_ZXID} for a read
     */
    public void applyAbsent(String key, Node<T> k, long zxid) {
        boolean gap = k.verifiedEpoch != gapEpoch;
        if (zxid != NO_ZXID && zxid <= k.mzxid) {
            return;
        }
        k.verifiedEpoch = gapEpoch;
        if (zxid != NO_ZXID) {
            k.mzxid = zxid;
        }
        if (!k.exists) {
            return;
        }
        k.exists = false;
        Versioned<T> prev = k.shown;
        k.shown = null;
        sink.shown(key, null);
        if (initialized && prev != null) {
            sink.changed(
                    key, gap && afterGap == AfterGap.RESYNCED ? ChangeKind.RESYNCED : ChangeKind.DELETED, prev, null);
        }
    }
}
