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

import io.statesync.core.Health;
import io.statesync.core.LifecycleState;
import io.statesync.core.RecipeReport;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live recipes of one coordinator, for {@code Coordinator.recipes()}. One per {@code
 * Coordinator} ({@code coordinator.internalRecipes()}); not API.
 *
 * <p>A recipe registers itself when it is built. The registry holds it weakly: a recipe the
 * application dropped without closing is not kept alive by it. A closed recipe is not reported, and
 * is forgotten on the next registration or report. A recipe built as a part of another (the command
 * log of a replicated state) is {@linkplain #unlist unlisted} by its owner, which reports for it.
 *
 * <p>Thread-safe. {@link #reports} calls each recipe's {@link Reporting#describe()} without holding
 * the registry's lock.
 */
public final class RecipeRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(RecipeRegistry.class);
    private static final int MIN_PRUNE_AT = 16;

    /** What a recipe implementation gives the registry. */
    public interface Reporting {
        /**
         * The recipe's lifecycle state.
         *
         * @return LATENT, STARTED or CLOSED
         */
        LifecycleState state();

        /**
         * The recipe's own health, from state held in memory (no I/O, no wait on anything but the
         * recipe's own short-held lock): {@code UP} unless something of the recipe itself is wrong,
         * with its live state in the details. The coordinator's connection is folded in by the
         * registry.
         *
         * @return the recipe's own health
         */
        Health describe();
    }

    private record Entry(String type, String path, WeakReference<Reporting> recipe) {}

    private final Object lock = new Object();
    /** Guarded by {@link #lock}, in registration order. */
    private final List<Entry> entries = new ArrayList<>();
    /** Guarded by {@link #lock}: the size at which the next registration prunes. */
    private int pruneAt = MIN_PRUNE_AT;

    /**
     * Registers a recipe.
     *
     * @param type the simple name of the recipe's public interface, e.g. {@code "SharedState"}
     * @param path the recipe's path, relative to the namespace
     * @param recipe the recipe; held weakly
     */
    public void register(String type, String path, Reporting recipe) {
        Entry e = new Entry(
                Objects.requireNonNull(type, "type"),
                Objects.requireNonNull(path, "path"),
                new WeakReference<>(Objects.requireNonNull(recipe, "recipe")));
        synchronized (lock) {
            if (entries.size() >= pruneAt) {
                entries.removeIf(RecipeRegistry::gone);
                pruneAt = Math.max(MIN_PRUNE_AT, entries.size() * 2);
            }
            entries.add(e);
        }
    }

    /**
     * Removes a recipe that is a part of another, which reports for it.
     *
     * @param recipe the recipe, as registered (compared by identity)
     */
    public void unlist(Object recipe) {
        synchronized (lock) {
            entries.removeIf(e -> e.recipe.get() == recipe);
        }
    }

    /**
     * The reports of the recipes not closed, in the order they were built.
     *
     * @param coordinator the coordinator's health, folded into each recipe's
     * @return the reports
     */
    public List<RecipeReport> reports(Health coordinator) {
        List<Entry> live;
        synchronized (lock) {
            entries.removeIf(RecipeRegistry::gone);
            live = new ArrayList<>(entries);
        }
        List<RecipeReport> out = new ArrayList<>(live.size());
        for (Entry e : live) {
            Reporting r = e.recipe.get();
            if (r == null) {
                continue;
            }
            LifecycleState state = r.state();
            if (state == LifecycleState.CLOSED) {
                continue;
            }
            Health own;
            try {
                own = r.describe();
            } catch (RuntimeException ex) {
                // A report must never fail the caller's health check.
                LOG.warn("{} {}: describing its health failed", e.type, e.path, ex);
                own = new Health(Health.Status.DOWN, "describing its health failed: " + ex, Map.of());
            }
            out.add(new RecipeReport(e.type, e.path, state, combine(state, own, coordinator)));
        }
        return out;
    }

    /** The worse of the recipe's own health and the coordinator's; not started is DOWN. */
    static Health combine(LifecycleState state, Health own, Health coordinator) {
        if (state == LifecycleState.LATENT) {
            return new Health(Health.Status.DOWN, "not started", own.details());
        }
        if (own.status().compareTo(coordinator.status()) >= 0) {
            return own;
        }
        String why = coordinator.status() == Health.Status.DEGRADED
                ? "serving its local copy; the coordinator is DEGRADED: "
                : "the coordinator is DOWN: ";
        String reason = why + coordinator.reason();
        if (own.status() != Health.Status.UP) {
            reason = reason + "; and " + own.reason();
        }
        return new Health(coordinator.status(), reason, own.details());
    }

    private static boolean gone(Entry e) {
        Reporting r = e.recipe.get();
        return r == null || r.state() == LifecycleState.CLOSED;
    }
}
