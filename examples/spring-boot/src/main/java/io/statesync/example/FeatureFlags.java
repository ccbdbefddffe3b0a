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
package io.statesync.example;

import io.statesync.core.Versioned;
import io.statesync.example.Recipes.Flags;
import io.statesync.recipes.state.SharedState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/** The feature flags: one document in ZooKeeper, applied by every instance as it changes. */
@Service
public class FeatureFlags {
    private static final Logger LOG = LoggerFactory.getLogger(FeatureFlags.class);

    private final SharedState<Flags> flags;

    FeatureFlags(SharedState<Flags> flags) {
        this.flags = flags;
        // Every change, from any instance, in order, never going back to an older version.
        flags.addListener(change ->
                change.current().ifPresent(v -> LOG.info("flags now {} (version {})", v.value(), v.version())));
    }

    /**
     * The flags as this instance last saw them (from memory, no call to ZooKeeper).
     *
     * @return the flags, the defaults until the first read
     */
    public Flags current() {
        return flags.get().map(Versioned::value).orElse(Flags.DEFAULTS);
    }

    /**
     * Turns the new checkout on or off on every instance: a compare-and-set, no lost update.
     *
     * @param on the new value
     * @throws InterruptedException if interrupted while writing
     */
    public void setNewCheckout(boolean on) throws InterruptedException {
        flags.update(f -> new Flags(on, f.maxBatch()));
    }
}
