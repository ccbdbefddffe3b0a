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

import io.micrometer.core.instrument.MeterRegistry;
import io.statesync.core.Coordinator;
import io.statesync.micrometer.StateSyncMetrics;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Binds the coordinator's {@link StateSyncMetrics} to every {@link MeterRegistry} bean once all
 * singletons exist, and closes it (removing its meters and its listener) when destroyed: it depends
 * on the coordinator, so Spring destroys it before closing the coordinator.
 */
final class StateSyncMetricsBinding implements SmartInitializingSingleton, DisposableBean {
    private final Coordinator coordinator;
    private final ObjectProvider<MeterRegistry> registries;
    private volatile @Nullable StateSyncMetrics metrics;

    StateSyncMetricsBinding(Coordinator coordinator, ObjectProvider<MeterRegistry> registries) {
        this.coordinator = coordinator;
        this.registries = registries;
    }

    @Override
    public void afterSingletonsInstantiated() {
        StateSyncMetrics bound = new StateSyncMetrics(coordinator);
        // Boot's composite registry, when there is one, is the primary: bind to it alone.
        MeterRegistry registry = registries.getIfUnique();
        if (registry != null) {
            bound.bindTo(registry);
        } else {
            registries.orderedStream().forEach(bound::bindTo);
        }
        metrics = bound;
    }

    /** The binder, once bound; for tests. */
    @Nullable
    StateSyncMetrics metrics() {
        return metrics;
    }

    @Override
    public void destroy() {
        StateSyncMetrics bound = metrics;
        if (bound != null) {
            bound.close();
        }
    }
}
