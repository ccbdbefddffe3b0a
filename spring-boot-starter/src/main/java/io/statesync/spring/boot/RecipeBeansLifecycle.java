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
package io.statesync.spring.boot;

import io.statesync.core.LifecycleState;
import io.statesync.core.Recipe;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * With {@code statesync.start-recipes=true}: starts every {@link Recipe} bean that is still {@link
 * LifecycleState#LATENT} in phase {@link StateSyncAutoConfiguration#RECIPE_PHASE}, after the
 * coordinator started and before the web server takes traffic. A recipe the application started
 * itself is left alone (a second {@code start()} would throw). A recipe whose {@code start()}
 * throws fails the application's startup with that error; the beans are then destroyed, which
 * closes every recipe and then the coordinator. Stopping does not close the recipes: Spring closes
 * each when its bean is destroyed, before the coordinator.
 */
final class RecipeBeansLifecycle implements SmartLifecycle {
    private final ObjectProvider<Recipe> recipes;
    private volatile boolean running;

    RecipeBeansLifecycle(ObjectProvider<Recipe> recipes) {
        this.recipes = recipes;
    }

    @Override
    public void start() {
        recipes.orderedStream().filter(r -> r.state() == LifecycleState.LATENT).forEach(Recipe::start);
        running = true;
    }

    @Override
    public void stop() {
        // Closed on destruction, before the coordinator; see the class comment.
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return StateSyncAutoConfiguration.RECIPE_PHASE;
    }
}
