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

import java.util.HashSet;
import java.util.Set;

/**
 * The options a builder was given, so that each may be set once: a second call is a configuration
 * mistake (two places disagreeing about one setting) and fails at once, naming the option. Not
 * thread-safe, like the builders that use it.
 */
public final class BuilderOptions {
    private final Set<String> configured = new HashSet<>();

    /**
     * Records that an option is being set.
     *
     * @param option the option's name, as the builder method is called
     * @throws IllegalStateException if it was set before
     */
    public void once(String option) {
        if (!configured.add(option)) {
            throw new IllegalStateException(option + " was already set on this builder");
        }
    }
}
