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
package io.statesync.demo;

import io.statesync.core.Codec;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The replicated state of the tour and of the {@code replicated} command: which node owns which
 * shard, changed only by the replication leader, one command at a time, with a deterministic
 * function.
 */
final class Shards {
    private Shards() {}

    private static final Pattern WORDS = Pattern.compile("\\s+");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    /** What a node may ask for. */
    enum Action {
        /** Take a shard; refused if another node owns it. */
        CLAIM,
        /** Give a shard back; refused unless the node owns it. */
        RELEASE
    }

    /** A command: a node claims or releases a shard. */
    record Command(Action action, String shard, String node) {
        Command {
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(shard, "shard");
            Objects.requireNonNull(node, "node");
            if (!NAME.matcher(shard).matches() || !NAME.matcher(node).matches()) {
                throw new IllegalArgumentException("shard and node names are one word of letters, digits, '.', '_'"
                        + " or '-', were '" + shard + "' and '" + node + "'");
            }
        }

        /**
         * Parses what a user types: {@code claim SHARD} or {@code release SHARD}, for {@code node}.
         */
        static Command typed(String text, String node) {
            String[] parts = WORDS.split(text.trim(), -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException(
                        "write a command as 'claim SHARD' or 'release SHARD', e.g. 'claim shard-1', not '" + text.trim()
                                + "'");
            }
            return new Command(action(parts[0]), parts[1], node);
        }

        private static Action action(String word) {
            return switch (word.toLowerCase(Locale.ROOT)) {
                case "claim" -> Action.CLAIM;
                case "release" -> Action.RELEASE;
                default ->
                    throw new IllegalArgumentException(
                            "a command starts with 'claim' or 'release', not '" + word + "'");
            };
        }

        @Override
        public String toString() {
            return node + " " + action.name().toLowerCase(Locale.ROOT) + "s " + shard;
        }
    }

    /** Who owns which shard, by shard name. Immutable. */
    static final class Assignments {
        private final Map<String, String> owners;

        private Assignments(Map<String, String> owners) {
            this.owners = Collections.unmodifiableMap(new TreeMap<>(owners));
        }

        static Assignments none() {
            return new Assignments(Map.of());
        }

        Map<String, String> owners() {
            return owners;
        }

        /**
         * The deterministic transition the leader runs: the assignments after a command, or an
         * exception (which rejects the command and leaves the state as it was).
         */
        Assignments apply(Command c) {
            String owner = owners.get(c.shard());
            Map<String, String> next = new TreeMap<>(owners);
            switch (c.action()) {
                case CLAIM -> {
                    if (owner != null && !owner.equals(c.node())) {
                        throw new IllegalStateException(c.shard() + " is owned by " + owner);
                    }
                    next.put(c.shard(), c.node());
                }
                case RELEASE -> {
                    if (!c.node().equals(owner)) {
                        throw new IllegalStateException(
                                c.shard() + (owner == null ? " is owned by nobody" : " is owned by " + owner));
                    }
                    next.remove(c.shard());
                }
            }
            return new Assignments(next);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Assignments a && a.owners.equals(owners);
        }

        @Override
        public int hashCode() {
            return owners.hashCode();
        }

        @Override
        public String toString() {
            return owners.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ", "{", "}"));
        }

        static Assignments parse(String text) {
            String inner = text.trim();
            if (!inner.startsWith("{") || !inner.endsWith("}")) {
                throw new IllegalArgumentException("not an assignment map: '" + text + "'");
            }
            inner = inner.substring(1, inner.length() - 1).trim();
            Map<String, String> owners = new TreeMap<>();
            if (!inner.isEmpty()) {
                for (String pair : inner.split(",", -1)) {
                    int eq = pair.indexOf('=');
                    if (eq < 0) {
                        throw new IllegalArgumentException("not SHARD=NODE: '" + pair.trim() + "'");
                    }
                    owners.put(
                            pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
            }
            return new Assignments(owners);
        }
    }

    /** The state as text: {@code {shard-1=node-1, shard-2=node-2}}. */
    static final Codec<Assignments> STATE_CODEC = new Codec<>() {
        @Override
        public byte[] encode(Assignments a) {
            return a.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Assignments decode(byte[] data) {
            return Assignments.parse(new String(data, StandardCharsets.UTF_8));
        }
    };

    /** A command as text: {@code claim shard-1 node-1}. */
    static final Codec<Command> COMMAND_CODEC = new Codec<>() {
        @Override
        public byte[] encode(Command c) {
            return (c.action().name().toLowerCase(Locale.ROOT) + " " + c.shard() + " " + c.node())
                    .getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Command decode(byte[] data) {
            String[] parts = WORDS.split(new String(data, StandardCharsets.UTF_8).trim(), -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("not ACTION SHARD NODE: " + parts.length + " words");
            }
            return new Command(Command.action(parts[0]), parts[1], parts[2]);
        }
    };
}
