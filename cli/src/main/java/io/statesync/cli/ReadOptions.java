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
package io.statesync.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every read command takes. */
final class ReadOptions {
    @Mixin
    ConnectOptions connection;

    @Option(names = "--json", description = "Print JSON (one document; a stable shape for scripts).")
    boolean json;

    @Option(
            names = "--format",
            defaultValue = "AUTO",
            paramLabel = "AUTO|TEXT|HEX",
            description = "How values are shown: AUTO (UTF-8 text, else hex), TEXT, HEX. Default: ${DEFAULT-VALUE}.")
    Inspector.ValueFormat format;

    @Option(
            names = "--max",
            defaultValue = "100",
            paramLabel = "N",
            description = "The most entries (keys, claims, dead letters) listed per recipe; totals are always shown"
                    + " (default: ${DEFAULT-VALUE}).")
    int max;

    static String checkPath(String path) {
        if (!path.startsWith("/")) {
            throw new CliException(CliException.FAILED, "a path starts with /, was \"" + path + "\"");
        }
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
