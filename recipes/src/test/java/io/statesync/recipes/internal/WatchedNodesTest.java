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

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.DecodingException;
import io.statesync.core.Versioned;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rules of the watched-node view without a server: the "never go back" zxid gate, the gap
 * epochs that turn a change seen across a gap into RESYNCED, and what is reported before and after
 * the first read.
 */
@Timeout(10)
class WatchedNodesTest {
    private static final Codec<String> STRICT = new Codec<>() {
        @Override
        public byte[] encode(String value) {
            return value.getBytes(UTF_8);
        }

        @Override
        public String decode(byte[] data) {
            String s = new String(data, UTF_8);
            if (s.equals("garbage")) {
                throw new IllegalArgumentException("not a value: " + s);
            }
            return s;
        }
    };

    private final Map<String, Versioned<String>> shown = new HashMap<>();
    private final List<String> changes = new ArrayList<>();
    private final List<DecodingException> errors = new ArrayList<>();
    private final WatchedNodes.Node<String> a = new WatchedNodes.Node<>();
    private final WatchedNodes<String> nodes =
            new WatchedNodes<>(STRICT, key -> "/tree/" + key, new WatchedNodes.Sink<>() {
                @Override
                public void shown(String key, @Nullable Versioned<String> value) {
                    if (value == null) {
                        shown.remove(key);
                    } else {
                        shown.put(key, value);
                    }
                }

                @Override
                public void changed(
                        String key,
                        ChangeKind kind,
                        @Nullable Versioned<String> previous,
                        @Nullable Versioned<String> current) {
                    changes.add(key + " " + kind + " " + (previous == null ? "-" : previous.value()) + " -> "
                            + (current == null ? "-" : current.value()));
                }

                @Override
                public void undecodable(String key, DecodingException error) {
                    errors.add(error);
                }
            });

    private long shownMzxid() {
        Versioned<String> v = shown.get("a");
        assertThat(v).isNotNull();
        return Objects.requireNonNull(v).mzxid();
    }

    private String shownValue() {
        Versioned<String> v = shown.get("a");
        assertThat(v).isNotNull();
        return Objects.requireNonNull(v).value();
    }

    private void present(long czxid, long mzxid, int version, String value) {
        nodes.applyPresent("a", a, czxid, mzxid, version, value.getBytes(UTF_8));
    }

    @Test
    void beforeTheFirstReadTheViewMovesButReportsNothing() {
        present(10, 10, 0, "one");
        assertThat(shownValue()).isEqualTo("one");
        assertThat(changes).isEmpty();
        assertThat(nodes.initialized()).isFalse();
    }

    @Test
    void createdUpdatedDeletedInServerOrder() {
        nodes.markInitialized();
        present(10, 10, 0, "one");
        present(10, 11, 1, "two");
        nodes.applyAbsent("a", a, 12);
        assertThat(changes).containsExactly("a CREATED - -> one", "a UPDATED one -> two", "a DELETED two -> -");
        assertThat(shown).isEmpty();
    }

    @Test
    void neverGoesBackToAnOlderOrSameMzxid() {
        nodes.markInitialized();
        present(10, 20, 3, "new");
        present(10, 15, 2, "older"); // a read reply that arrives after a newer write's reply
        present(10, 20, 3, "new"); // the same state again
        present(99, 20, 0, "same mzxid, another incarnation"); // cannot be
        assertThat(changes).containsExactly("a CREATED - -> new");
        assertThat(shownMzxid()).isEqualTo(20);
    }

    @Test
    void aDeleteEventNoNewerThanTheShownValueIsIgnored() {
        nodes.markInitialized();
        present(10, 20, 3, "v");
        nodes.applyAbsent("a", a, 19);
        nodes.applyAbsent("a", a, 20);
        assertThat(changes).containsExactly("a CREATED - -> v");
        assertThat(a.exists).isTrue();
        // A read that finds no node (zxid unknown) is believed: the node is gone.
        nodes.applyAbsent("a", a, WatchedNodes.NO_ZXID);
        assertThat(changes).containsExactly("a CREATED - -> v", "a DELETED v -> -");
    }

    @Test
    void anEventsZxidTellsWhetherItMayBeNew() {
        present(10, 20, 3, "v");
        assertThat(a.mayBeNewer(20)).isFalse();
        assertThat(a.mayBeNewer(21)).isTrue();
        assertThat(a.mayBeNewer(WatchedNodes.NO_ZXID)).isTrue();
    }

    @Test
    void aRecreatedNodeIsReportedAsDeletedThenCreated() {
        nodes.markInitialized();
        present(10, 10, 0, "first");
        present(30, 30, 0, "second"); // the delete's event was folded into the read
        assertThat(changes).containsExactly("a CREATED - -> first", "a DELETED first -> -", "a CREATED - -> second");
    }

    @Test
    void acrossAGapOnlyTheDirectSuccessorIsAnUpdate() {
        nodes.markInitialized();
        present(10, 10, 0, "v0");
        nodes.gap();
        present(10, 11, 1, "v1"); // the next version: nothing was missed
        nodes.gap();
        present(10, 15, 4, "v4"); // versions 2 and 3 were missed
        present(10, 16, 5, "v5"); // verified in this epoch already: an update again
        assertThat(changes)
                .containsExactly(
                        "a CREATED - -> v0", "a UPDATED v0 -> v1", "a RESYNCED v1 -> v4", "a UPDATED v4 -> v5");
    }

    @Test
    void aDeleteSeenAcrossAGapIsResynced() {
        nodes.markInitialized();
        present(10, 10, 0, "v0");
        nodes.gap();
        nodes.applyAbsent("a", a, WatchedNodes.NO_ZXID);
        assertThat(changes).containsExactly("a CREATED - -> v0", "a RESYNCED v0 -> -");
    }

    @Test
    void anUndecodableValueIsReportedOnceAndTheShownValueStays() {
        nodes.markInitialized();
        present(10, 10, 0, "good");
        present(10, 11, 1, "garbage");
        present(10, 11, 1, "garbage"); // the same mzxid again (a read after the event)
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).getMessage()).contains("/tree/a");
        assertThat(shownValue()).isEqualTo("good");
        present(10, 12, 2, "fixed");
        assertThat(changes).containsExactly("a CREATED - -> good", "a UPDATED good -> fixed");
    }

    @Test
    void keysAreIndependent() {
        nodes.markInitialized();
        WatchedNodes.Node<String> b = new WatchedNodes.Node<>();
        present(10, 20, 0, "a");
        nodes.applyPresent("b", b, 15, 15, 0, "b".getBytes(UTF_8)); // lower zxid, another key: applied
        assertThat(changes).containsExactly("a CREATED - -> a", "b CREATED - -> b");
    }

    @Test
    void withAfterGapDeletedALeaveAndARejoinAcrossAGapAreStillDeletedThenCreated() {
        List<String> seen = new ArrayList<>();
        WatchedNodes<String> members = new WatchedNodes<>(
                STRICT,
                key -> "/group/" + key,
                new WatchedNodes.Sink<>() {
                    @Override
                    public void shown(String key, @Nullable Versioned<String> value) {}

                    @Override
                    public void changed(
                            String key,
                            ChangeKind kind,
                            @Nullable Versioned<String> previous,
                            @Nullable Versioned<String> current) {
                        seen.add(kind + " " + (previous == null ? "-" : previous.value()) + " -> "
                                + (current == null ? "-" : current.value()));
                    }

                    @Override
                    public void undecodable(String key, DecodingException error) {}
                },
                WatchedNodes.AfterGap.DELETED);
        WatchedNodes.Node<String> m = new WatchedNodes.Node<>();
        members.markInitialized();
        members.applyPresent("m", m, 10, 10, 0, "first".getBytes(UTF_8));
        members.gap();
        members.applyPresent("m", m, 30, 30, 0, "second".getBytes(UTF_8)); // left and joined meanwhile
        members.gap();
        members.applyPresent("m", m, 30, 35, 3, "changed".getBytes(UTF_8)); // versions missed: a resync
        members.gap();
        members.applyAbsent("m", m, WatchedNodes.NO_ZXID); // left meanwhile
        assertThat(seen)
                .containsExactly(
                        "CREATED - -> first",
                        "DELETED first -> -",
                        "CREATED - -> second",
                        "RESYNCED second -> changed",
                        "DELETED changed -> -");
    }
}
