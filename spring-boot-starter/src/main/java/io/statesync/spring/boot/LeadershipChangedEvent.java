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
package io.statesync.spring.boot;

import io.statesync.core.ChangeKind;
import io.statesync.recipes.leader.Leadership;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEvent;

/**
 * A change of the leadership of a {@link LeaderOnly @LeaderOnly} election, as this node sees it:
 * published for every change the election's listeners receive ({@code INITIAL}, {@code CREATED}: a
 * leader became known, {@code UPDATED}: another leader, {@code DELETED}: no leader known, e.g. this
 * node stepped down or lost its connection, {@code RESYNCED}: the first leader seen after a
 * connection loss). Published on the coordinator's listener executor, in order per election.
 *
 * <p>Immutable; the event's source is the starter's election registry.
 */
public final class LeadershipChangedEvent extends ApplicationEvent {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final String path;
    private final ChangeKind kind;
    private final transient @Nullable Leadership leadership;

    /**
     * A change.
     *
     * @param source the publisher
     * @param name the election's name, as given to {@link LeaderOnly}
     * @param path the election's path under the coordinator's namespace
     * @param kind what changed
     * @param leadership the leadership known after the change, or {@code null} if none is known
     * @throws NullPointerException if {@code source}, {@code name}, {@code path} or {@code kind} is
     *     {@code null}
     */
    public LeadershipChangedEvent(
            Object source, String name, String path, ChangeKind kind, @Nullable Leadership leadership) {
        super(source);
        this.name = Objects.requireNonNull(name, "name");
        this.path = Objects.requireNonNull(path, "path");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.leadership = leadership;
    }

    /**
     * The election's name.
     *
     * @return the name given to {@link LeaderOnly}
     */
    public String name() {
        return name;
    }

    /**
     * The election's path.
     *
     * @return the path, relative to the coordinator's namespace
     */
    public String path() {
        return path;
    }

    /**
     * What changed.
     *
     * @return the kind of change
     */
    public ChangeKind kind() {
        return kind;
    }

    /**
     * The leadership known after the change: who leads and with which epoch.
     *
     * @return the leadership, or empty if no leader is known to this node
     */
    public Optional<Leadership> leadership() {
        return Optional.ofNullable(leadership);
    }

    /**
     * Whether this node leads after the change.
     *
     * @return {@code true} if the known leader is this node
     */
    public boolean isLeader() {
        Leadership current = leadership;
        return current != null && current.isSelf();
    }

    @Override
    public String toString() {
        return "LeadershipChangedEvent{" + name + ", " + kind + ", " + leadership + '}';
    }
}
