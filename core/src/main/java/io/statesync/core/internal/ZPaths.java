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

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Path rules, checked before any network call. A path is relative to the coordinator's namespace,
 * absolute in form ({@code /config/flags}), and may not:
 *
 * <ul>
 *   <li>be empty, relative, or end with {@code /} (other than the root {@code /} itself);
 *   <li>contain an empty segment ({@code //}), or a {@code .} or {@code ..} segment (which could
 *       escape the namespace);
 *   <li>contain control characters, or the characters ZooKeeper reserves (U+D800 to U+F8FF,
 *       U+FFF0 to U+FFFF);
 *   <li>be {@code /zookeeper} or below it, ZooKeeper's own subtree;
 *   <li>be longer than {@value #MAX_PATH_LENGTH} characters (a key, which becomes a path with its
 *       {@code /}, one fewer; a namespace, counted with its {@code /}, the same).
 * </ul>
 *
 * <p><b>Why a length bound.</b> ZooKeeper has none of its own: a path is limited only by the
 * request it travels in, which must fit the server's {@code jute.maxbuffer} (1,048,575 bytes by
 * default), or the server drops the connection. Every request, watch and event carries the full
 * path, and a {@code multi} carries one per operation. At {@value #MAX_PATH_LENGTH} characters (at
 * most 12,288 bytes of UTF-8, since every allowed character is in the Basic Multilingual Plane),
 * a chroot, a namespace and a path each at the bound take at most 36,864 bytes, so a value at the
 * default value limit (1,000,000 bytes) still fits the default {@code jute.maxbuffer} with its
 * headers and ACL. The exact check of every request's size ({@link RequestSize}) stays the guard:
 * the bound only keeps paths to a size that leaves room for data.
 */
public final class ZPaths {
    /** The longest path, in characters (UTF-16 code units, each at most 3 bytes of UTF-8 here). */
    public static final int MAX_PATH_LENGTH = 4096;

    private ZPaths() {}

    /**
     * Checks a path.
     *
     * @param path the path
     * @return the path
     * @throws IllegalArgumentException naming the path and the rule it breaks
     */
    public static String validate(String path) {
        Objects.requireNonNull(path, "path");
        String problem = problem(path, 0);
        if (problem != null) {
            throw new IllegalArgumentException("invalid path \"" + printable(path) + "\": " + problem);
        }
        return path;
    }

    /**
     * Checks a key: one path segment, as a map or tree recipe uses for a child name.
     *
     * @param key the key
     * @return the key
     * @throws IllegalArgumentException naming the key and the rule it breaks
     */
    public static String validateKey(String key) {
        Objects.requireNonNull(key, "key");
        String problem = keyProblem(key);
        if (problem != null) {
            throw new IllegalArgumentException("invalid key \"" + printable(key) + "\": " + problem);
        }
        return key;
    }

    /**
     * Why a key cannot be one path segment, for callers that word the error themselves.
     *
     * @param key the key
     * @return the rule it breaks (indexes are the key's own), or {@code null} if it is a valid key
     */
    public static @Nullable String keyProblem(String key) {
        if (key.isEmpty()) {
            return "a key may not be empty";
        }
        if (key.length() > MAX_PATH_LENGTH - 1) {
            return "too long, " + key.length() + " characters; a key may have at most " + (MAX_PATH_LENGTH - 1)
                    + " (a path at most " + MAX_PATH_LENGTH + ")";
        }
        if (key.indexOf('/') >= 0) {
            return "a key may not contain '/'";
        }
        return problem("/" + key, -1);
    }

    /**
     * Joins a valid parent path and a valid key.
     *
     * @param parent the parent path
     * @param key one segment
     * @return {@code parent/key}
     */
    public static String join(String parent, String key) {
        validateKey(key);
        return parent.equals("/") ? "/" + key : parent + "/" + key;
    }

    /**
     * The last segment of a path.
     *
     * @param path a valid path other than {@code /}
     * @return the name after the last {@code /}
     */
    public static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * Checks a namespace (a path without its leading {@code /}, e.g. {@code statesync/orders}).
     *
     * @param namespace the namespace, or the empty string for none
     * @return the namespace
     * @throws IllegalArgumentException naming it and the rule it breaks
     */
    public static String validateNamespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (namespace.isEmpty()) {
            return namespace;
        }
        if (namespace.startsWith("/")) {
            throw new IllegalArgumentException(
                    "invalid namespace \"" + printable(namespace) + "\": write it without the leading '/'");
        }
        String problem = problem("/" + namespace, -1);
        if (problem != null) {
            throw new IllegalArgumentException("invalid namespace \"" + printable(namespace) + "\": " + problem);
        }
        return namespace;
    }

    /** How much of a path an error message prints. */
    private static final int PRINTED = 120;

    // shift: added to the indexes reported (-1 when a leading '/' was added to check a segment)
    private static @Nullable String problem(String path, int shift) {
        if (path.isEmpty()) {
            return "a path may not be empty";
        }
        if (path.charAt(0) != '/') {
            return "a path must start with '/'";
        }
        if (path.length() == 1) {
            return null;
        }
        if (path.length() > MAX_PATH_LENGTH) {
            return "too long, " + path.length() + " characters; a path may have at most " + MAX_PATH_LENGTH
                    + " (the request carrying it must fit jute.maxbuffer)";
        }
        if (path.endsWith("/")) {
            return "a path may not end with '/'";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == 0) {
                return "null character U+0000 at index " + (i + shift);
            }
            if (c <= '\u001f' || (c >= '\u007f' && c <= '\u009f')) {
                return "control character U+" + String.format("%04X", (int) c) + " at index " + (i + shift);
            }
            if ((c >= '\ud800' && c <= '\uf8ff') || c >= '\ufff0') {
                return "character U+" + String.format("%04X", (int) c) + " at index " + (i + shift)
                        + " is reserved by ZooKeeper";
            }
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.isEmpty()) {
                return "empty segment ('//')";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "'" + segment + "' segments are not allowed";
            }
        }
        if (path.equals("/zookeeper") || path.startsWith("/zookeeper/")) {
            return "/zookeeper is ZooKeeper's own subtree";
        }
        return null;
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), PRINTED + 3));
        for (int i = 0; i < s.length(); i++) {
            if (i == PRINTED) {
                out.append("...");
                break;
            }
            char c = s.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
