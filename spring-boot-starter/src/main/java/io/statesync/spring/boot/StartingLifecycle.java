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

import io.statesync.core.Coordinator;
import io.statesync.core.LifecycleState;
import io.statesync.core.Recipe;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one start action in its lifecycle phase and does nothing on stop: what it starts is closed
 * when its bean is destroyed, in the order Spring destroys beans (the recipes, which depend on the
 * coordinator, before the coordinator). A context that is stopped and started again runs the action
 * again; both actions skip what is already started.
 */
final class StartingLifecycle implements SmartLifecycle {
    private final int phase;
    private final Runnable start;
    private volatile boolean running;

    private StartingLifecycle(int phase, Runnable start) {
        this.phase = phase;
        this.start = start;
    }

    /**
     * Starts the coordinator in an early phase ({@link StateSyncAutoConfiguration#COORDINATOR_PHASE}),
     * so that nothing connects while beans are still being created: a context that fails before its
     * lifecycle starts has opened no session.
     */
    static StartingLifecycle coordinator(Coordinator coordinator) {
        return new StartingLifecycle(StateSyncAutoConfiguration.COORDINATOR_PHASE, () -> {
            if (coordinator.state() == LifecycleState.LATENT) {
                coordinator.start();
            }
        });
    }

    /**
     * With {@code statesync.start-recipes=true}: starts every {@link Recipe} bean that is still
     * {@link LifecycleState#LATENT} in phase {@link StateSyncAutoConfiguration#RECIPE_PHASE}, after
     * the coordinator started and before the web server takes traffic. A recipe the application
     * started itself is left alone (a second {@code start()} would throw). A recipe whose {@code
     * start()} throws fails the application's startup with that error; the beans are then destroyed,
     * which closes every recipe and then the coordinator.
     */
    static StartingLifecycle recipeBeans(ObjectProvider<Recipe> recipes) {
        return new StartingLifecycle(
                StateSyncAutoConfiguration.RECIPE_PHASE,
                () -> recipes.orderedStream()
                        .filter(r -> r.state() == LifecycleState.LATENT)
                        .forEach(Recipe::start));
    }

    @Override
    public void start() {
        start.run();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return phase;
    }
}
