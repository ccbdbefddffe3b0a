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
import static org.awaitility.Awaitility.await;

import io.statesync.core.Health;
import io.statesync.core.Health.Status;
import io.statesync.core.LifecycleState;
import io.statesync.core.RecipeReport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RecipeRegistry}: what is listed, how the coordinator's health folds in, and that it holds recipes weakly. */
@Timeout(60)
class RecipeRegistryTest {
    private static final Health UP = new Health(Status.UP, "connected", Map.of());
    private static final Health SUSPENDED = new Health(Status.DEGRADED, "connection suspended", Map.of());
    private static final Health GONE = new Health(Status.DOWN, "disconnected too long", Map.of());

    private static class Fake implements RecipeRegistry.Reporting {
        volatile LifecycleState state = LifecycleState.STARTED;
        volatile Health own = new Health(Status.UP, "fine", Map.of("k", 1));

        @Override
        public LifecycleState state() {
            return state;
        }

        @Override
        public Health describe() {
            return own;
        }
    }

    @Test
    void listsOpenRecipesInOrderAndNotClosedOrUnlistedOnes() {
        RecipeRegistry registry = new RecipeRegistry();
        Fake a = new Fake();
        Fake b = new Fake();
        Fake c = new Fake();
        registry.register("SharedState", "/a", a);
        registry.register("LeaderElection", "/b", b);
        registry.register("EventLog", "/c", c);
        assertThat(registry.reports(UP)).extracting(RecipeReport::path).containsExactly("/a", "/b", "/c");
        assertThat(registry.reports(UP).get(0).health().details()).containsEntry("k", 1);

        b.state = LifecycleState.CLOSED;
        registry.unlist(c);
        assertThat(registry.reports(UP)).extracting(RecipeReport::type).containsExactly("SharedState");
    }

    @Test
    void theWorseOfTheRecipesOwnStatusAndTheCoordinatorsWins() {
        RecipeRegistry registry = new RecipeRegistry();
        Fake f = new Fake();
        registry.register("DistributedLock", "/l", f);

        Health h = only(registry, SUSPENDED);
        assertThat(h.status()).isEqualTo(Status.DEGRADED);
        assertThat(h.reason()).isEqualTo("serving its local copy; the coordinator is DEGRADED: connection suspended");
        assertThat(h.details()).containsEntry("k", 1);
        assertThat(only(registry, GONE).reason()).isEqualTo("the coordinator is DOWN: disconnected too long");

        f.own = new Health(Status.DEGRADED, "1 handle(s) lost", Map.of());
        assertThat(only(registry, UP).reason()).isEqualTo("1 handle(s) lost");
        assertThat(only(registry, SUSPENDED).reason()).isEqualTo("1 handle(s) lost");
        assertThat(only(registry, GONE).status()).isEqualTo(Status.DOWN);
        assertThat(only(registry, GONE).reason())
                .isEqualTo("the coordinator is DOWN: disconnected too long; and 1 handle(s) lost");

        f.own = new Health(Status.DOWN, "stopped", Map.of());
        assertThat(only(registry, SUSPENDED).reason()).isEqualTo("stopped");

        f.state = LifecycleState.LATENT;
        assertThat(only(registry, UP).status()).isEqualTo(Status.DOWN);
        assertThat(only(registry, UP).reason()).isEqualTo("not started");
    }

    @Test
    void aRecipeThatThrowsIsReportedDownAndTheOthersStillListed() {
        RecipeRegistry registry = new RecipeRegistry();
        registry.register("SharedState", "/bad", new Fake() {
            @Override
            public Health describe() {
                throw new IllegalStateException("boom");
            }
        });
        registry.register("SharedState", "/good", new Fake());
        List<RecipeReport> reports = registry.reports(UP);
        assertThat(reports).hasSize(2);
        assertThat(reports.get(0).health().status()).isEqualTo(Status.DOWN);
        assertThat(reports.get(0).health().reason()).contains("boom");
        assertThat(reports.get(1).health().status()).isEqualTo(Status.UP);
    }

    @Test
    void aRecipeDroppedWithoutCloseIsNotKeptAlive() {
        RecipeRegistry registry = new RecipeRegistry();
        Fake kept = new Fake();
        registry.register("SharedState", "/kept", kept);
        registry.register("SharedState", "/dropped", new Fake());
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    System.gc();
                    return registry.reports(UP).size() == 1;
                });
        assertThat(registry.reports(UP)).extracting(RecipeReport::path).containsExactly("/kept");
        assertThat(kept.state()).isEqualTo(LifecycleState.STARTED);
    }

    private static Health only(RecipeRegistry registry, Health coordinator) {
        List<RecipeReport> reports = registry.reports(coordinator);
        assertThat(reports).hasSize(1);
        return reports.get(0).health();
    }
}
