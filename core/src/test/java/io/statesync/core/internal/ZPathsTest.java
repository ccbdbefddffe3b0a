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
package io.statesync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZPathsTest {
    @ParameterizedTest
    @ValueSource(strings = {"/", "/a", "/config/flags", "/a-b_c.d/e f", "/zookeeper2", "/x/zookeeper", "/..a", "/a./b"})
    void acceptsValidPaths(String path) {
        assertThat(ZPaths.validate(path)).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "relative",
                "/trailing/",
                "//double",
                "/a//b",
                "/a/./b",
                "/a/../b",
                "/..",
                "/.",
                "/zookeeper",
                "/zookeeper/quota",
                "/tab\there",
                "/nul\u0000",
                "/del\u007f",
                "/reserved\ud800x",
                "/reserved\ufff5"
            })
    void refusesInvalidPathsNamingThem(String path) {
        assertThatThrownBy(() -> ZPaths.validate(path))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid path \"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", ".", "..", "with\nnewline"})
    void refusesInvalidKeys(String key) {
        assertThatThrownBy(() -> ZPaths.validateKey(key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/lead", "a//b", "a/", "a/../b", "zookeeper"})
    void refusesInvalidNamespaces(String namespace) {
        assertThatThrownBy(() -> ZPaths.validateNamespace(namespace))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(namespace);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "app", "team/app"})
    void acceptsNamespaces(String namespace) {
        assertThat(ZPaths.validateNamespace(namespace)).isEqualTo(namespace);
    }

    @org.junit.jupiter.api.Test
    void joinsAndNames() {
        assertThat(ZPaths.join("/", "a")).isEqualTo("/a");
        assertThat(ZPaths.join("/a", "b")).isEqualTo("/a/b");
        assertThat(ZPaths.name("/a/b")).isEqualTo("b");
        assertThatThrownBy(() -> ZPaths.join("/a", "b/c")).isInstanceOf(IllegalArgumentException.class);
    }

    @org.junit.jupiter.api.Test
    void controlCharactersAreShownEscaped() {
        assertThatThrownBy(() -> ZPaths.validate("/a\u0001b"))
                .hasMessageContaining("/a\\u0001b")
                .hasMessageContaining("U+0001");
    }

    @org.junit.jupiter.api.Test
    void aPathOverTheLengthBoundIsRefusedNamingItsLength() {
        String longest = "/" + "a".repeat(4095);
        assertThat(ZPaths.validate(longest)).isEqualTo(longest);
        String over = longest + "b";
        assertThatThrownBy(() -> ZPaths.validate(over))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid path \"/aaa")
                .hasMessageContaining("4097 characters")
                .hasMessageContaining("at most 4096");
        assertThatThrownBy(() -> ZPaths.validateKey("k".repeat(4096)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 4096");
        assertThatThrownBy(() -> ZPaths.validateNamespace("n".repeat(4096)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 4096");
        // the message does not print the whole path
        assertThatThrownBy(() -> ZPaths.validate(over))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }
}
