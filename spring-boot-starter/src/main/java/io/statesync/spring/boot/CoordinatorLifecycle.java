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
import org.springframework.context.SmartLifecycle;

/**
 * Starts the coordinator in an early phase ({@link StateSyncAutoConfiguration#COORDINATOR_PHASE}),
 * so that nothing connects while beans are still being created: a context that fails before its
 * lifecycle starts has opened no session. Stopping does not close the coordinator: it is closed when
 * its bean is destroyed, after every bean that depends on it (recipes declared as beans), which
 * Spring destroys first.
 */
final class CoordinatorLifecycle implements SmartLifecycle {
    private final Coordinator coordinator;
    private volatile boolean running;

    CoordinatorLifecycle(Coordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public void start() {
        if (coordinator.state() == LifecycleState.LATENT) {
            coordinator.start();
        }
        running = true;
    }

    @Override
    public void stop() {
        // Closed on destruction, after the beans that use it; see the class comment.
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return StateSyncAutoConfiguration.COORDINATOR_PHASE;
    }
}
