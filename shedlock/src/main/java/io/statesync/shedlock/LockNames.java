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
package io.statesync.shedlock;

/** Checks lock names and base paths against ZooKeeper's rules for a path element. */
final class LockNames {
    private LockNames() {}

    /** Returns the reason {@code element} cannot be one znode name, or {@code null} if it can. */
    static @org.jspecify.annotations.Nullable String problem(String element) {
        if (element.isEmpty()) {
            return "it is empty";
        }
        if (element.equals(".") || element.equals("..")) {
            return "'.' and '..' are not znode names";
        }
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (c == '/') {
                return "it contains '/' (one lock name is one znode)";
            }
            if (c <= '\u001f' || (c >= '\u007f' && c <= '\u009f')) {
                return "it contains the control character U+" + String.format("%04X", (int) c);
            }
            if ((c >= '\ud800' && c <= '\uf8ff') || c >= '\ufff0') {
                return "it contains U+" + String.format("%04X", (int) c) + ", which ZooKeeper refuses in a path";
            }
        }
        return null;
    }

    /** Validates a base path: absolute, no trailing '/', every element a valid znode name. */
    static String basePath(String path) {
        if (path.equals("/")) {
            return path;
        }
        if (!path.startsWith("/") || path.endsWith("/")) {
            throw new IllegalArgumentException("base path '" + path + "' must start with '/' and not end with '/'");
        }
        for (String element : path.substring(1).split("/", -1)) {
            String problem = problem(element);
            if (problem != null) {
                throw new IllegalArgumentException(
                        "base path '" + path + "' is invalid: element '" + element + "': " + problem);
            }
        }
        return path;
    }

    static String join(String basePath, String name) {
        return basePath.equals("/") ? "/" + name : basePath + "/" + name;
    }
}
