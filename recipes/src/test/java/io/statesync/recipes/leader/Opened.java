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
package io.statesync.recipes.leader;

import io.statesync.core.Coordinator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Coordinators and recipes a test opens, closed in reverse order after it. */
final class Opened implements AutoCloseable {
    private final List<AutoCloseable> resources = Collections.synchronizedList(new ArrayList<>());

    <C extends AutoCloseable> C add(C resource) {
        resources.add(resource);
        return resource;
    }

    Coordinator coordinator(String connectString, String namespace, Duration sessionTimeout)
            throws InterruptedException {
        Coordinator c = add(Coordinator.builder(connectString)
                .namespace(namespace)
                .sessionTimeout(sessionTimeout)
                .connectionTimeout(Duration.ofMillis(Math.min(sessionTimeout.toMillis(), 2000)))
                .build());
        c.start();
        c.awaitConnected(Duration.ofSeconds(20));
        return c;
    }

    @Override
    public void close() {
        List<AutoCloseable> reversed;
        synchronized (resources) {
            reversed = new ArrayList<>(resources);
            resources.clear();
        }
        Collections.reverse(reversed);
        AssertionError failure = null;
        for (AutoCloseable r : reversed) {
            try {
                r.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new AssertionError("closing " + r + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
