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
package io.statesync.recipes.membership;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.DecodingException;
import io.statesync.core.StateChange;
import io.statesync.core.StateListener;
import io.statesync.core.Versioned;
import io.statesync.core.internal.ListenerSet;
import io.statesync.core.internal.ZPaths;
import io.statesync.core.internal.ZkAccess;
import io.statesync.recipes.internal.WatchedNodes;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The members a group shows, kept by the one rule of {@link WatchedNodes}: per member id, a state
 * is taken only at a higher {@code mzxid} than any seen (also after the member left), and a member
 * seen with a new czxid left and joined again, so it is reported as DELETED then CREATED, with or
 * without a gap ({@link WatchedNodes.AfterGap#DELETED}); a member gone is DELETED. A member whose
 * metadata does not decode is reported once per {@code mzxid} and left out of the members shown.
 *
 * <p>Not thread-safe: every method runs under the group's lock; changes are enqueued on the
 * group's {@link ListenerSet}, dispatched by the group after it releases the lock.
 */
final class MemberView<T> {
    private static final Logger LOG = LoggerFactory.getLogger(MemberView.class);

    private final String path;
    private final String name;
    private final ListenerSet<StateListener<Member<T>>> listeners;
    private final WatchedNodes<T> nodes;
    /** Per member id, what the view knows of its znode; kept after a delete, so nothing goes back. */
    private final Map<String, WatchedNodes.Node<T>> known = new HashMap<>();
    /** The members shown, as the view's sink changes them. */
    private final TreeMap<String, Versioned<Member<T>>> shown = new TreeMap<>();
    /** An immutable copy of {@link #shown}, taken after each pass. */
    private Map<String, Versioned<Member<T>>> snapshot = Map.of();
    // What the sink needs while one member is applied.
    private long owner;
    private @Nullable Versioned<Member<T>> replaced;
    private boolean undecodable;

    MemberView(String path, String name, Codec<T> codec, ListenerSet<StateListener<Member<T>>> listeners) {
        this.path = path;
        this.name = name;
        this.listeners = listeners;
        this.nodes = new WatchedNodes<>(codec, id -> ZPaths.join(path, id), new Sink(), WatchedNodes.AfterGap.DELETED);
    }

    /** Records a gap: what changed meanwhile is reported, once read, as after a reconnection. */
    void gap() {
        nodes.gap();
    }

    boolean initialized() {
        return nodes.initialized();
    }

    Map<String, Versioned<Member<T>>> members() {
        return snapshot;
    }

    /**
     * Applies one pass's read of the group: the members read (id, and the reply of its read: data and stat), in id order, then
     * the absence of every member known and not read. The first pass reports INITIAL.
     */
    void applyPass(Map<String, ZkAccess.Reply> read) {
        for (Map.Entry<String, ZkAccess.Reply> e : new TreeMap<>(read).entrySet()) {
            ZkAccess.Reply r = e.getValue();
            byte[] data = r.data();
            applyPresent(e.getKey(), r.statOrThrow(ZPaths.join(path, e.getKey())), data == null ? new byte[0] : data);
        }
        for (Map.Entry<String, WatchedNodes.Node<T>> e : known.entrySet()) {
            if (!read.containsKey(e.getKey())) {
                nodes.applyAbsent(e.getKey(), e.getValue(), WatchedNodes.NO_ZXID);
            }
        }
        snapshot = Collections.unmodifiableMap(new TreeMap<>(shown));
        if (!nodes.initialized()) {
            nodes.markInitialized();
            for (StateChange<Member<T>> c : initialChanges()) {
                listeners.enqueue(c, l -> l.onChange(c));
            }
        }
    }

    private void applyPresent(String id, Stat stat, byte[] data) {
        WatchedNodes.Node<T> k = known.computeIfAbsent(id, x -> new WatchedNodes.Node<>());
        owner = stat.getEphemeralOwner();
        undecodable = false;
        nodes.applyPresent(id, k, stat.getCzxid(), stat.getMzxid(), stat.getVersion(), data);
        if (undecodable && k.shown != null) {
            // Left out while its metadata does not decode, as if it had left; a later state that
            // decodes shows it again, as a member that joined.
            k.shown = null;
            Versioned<Member<T>> was = shown.remove(id);
            if (nodes.initialized() && was != null) {
                enqueue(StateChange.of(ZPaths.join(path, id), ChangeKind.DELETED, was, null));
            }
        }
    }

    /** One INITIAL per member shown, or one without a value on the group's path if none. */
    List<StateChange<Member<T>>> initialChanges() {
        if (snapshot.isEmpty()) {
            return List.of(StateChange.of(path, ChangeKind.INITIAL, null, null));
        }
        return snapshot.entrySet().stream()
                .map(e -> StateChange.of(ZPaths.join(path, e.getKey()), ChangeKind.INITIAL, null, e.getValue()))
                .toList();
    }

    private void enqueue(StateChange<Member<T>> c) {
        listeners.enqueue(c, l -> l.onChange(c));
    }

    /** Turns the view's decisions on a member's metadata into decisions on the member. */
    private final class Sink implements WatchedNodes.Sink<T> {
        @Override
        public void shown(String id, @Nullable Versioned<T> value) {
            replaced = value == null
                    ? shown.remove(id)
                    : shown.put(id, value.withValue(new Member<>(id, value.value(), owner)));
        }

        @Override
        public void changed(
                String id, ChangeKind kind, @Nullable Versioned<T> previous, @Nullable Versioned<T> current) {
            enqueue(StateChange.of(
                    ZPaths.join(path, id),
                    kind,
                    previous == null ? null : replaced,
                    current == null ? null : shown.get(id)));
        }

        @Override
        public void undecodable(String id, DecodingException error) {
            undecodable = true;
            LOG.warn("{}: member {} left out: {}", name, id, error.getMessage());
            listeners.enqueue(error, l -> l.onError(error));
        }
    }
}
