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

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.Versioned;
import io.statesync.recipes.state.SharedState;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One node of a shared config (SharedState): applies every change; a typed line changes it. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = {
            "One node of a shared config document (a SharedState<String> at /config): prints every version it"
                    + " applies, as every other node running this command does.",
            "Type a line (e.g. rate-limit=250) and Enter to write it as the new config; every node applies it.",
            "With --set, writes once and exits instead."
        })
final class ConfigCommand extends NodeCommand {
    static final String PATH = "/config";
    static final String INITIAL = "rate-limit=100";

    @Option(
            names = "--set",
            paramLabel = "VALUE",
            description = "Write VALUE as the new config, print its version, and exit.")
    @Nullable
    String set;

    @Override
    int run(Console console, String id, StopSignal signal, Coordinator coordinator) throws Exception {
        try (SharedState<String> config =
                SharedState.builder(coordinator, PATH, Codec.utf8(), INITIAL).build()) {
            String value = set;
            if (value != null) {
                config.start();
                Versioned<String> written = config.set(value);
                console.say(id + " wrote config version " + written.version() + ": " + written.value());
                return Demo.OK;
            }
            config.addListener(change -> {
                if (change.kind() == ChangeKind.DELETED) {
                    console.event(id + ": the config was deleted");
                }
                change.current()
                        .ifPresent(v -> console.event(id + " applied config version " + v.version() + ": " + v.value()
                                + (change.kind() == ChangeKind.INITIAL ? " (current)" : "")));
            });
            config.start();
            config.awaitInitialized(Duration.ofSeconds(30));
            options.readLines(console, coordinator, "Type a new config line and press Enter to write it.", line -> {
                Versioned<String> written = config.set(line, options.wait);
                console.event(id + " wrote config version " + written.version());
            });
            signal.await();
            console.say(id + " stopping: closing the shared state and the session");
        }
        return Demo.OK;
    }
}
