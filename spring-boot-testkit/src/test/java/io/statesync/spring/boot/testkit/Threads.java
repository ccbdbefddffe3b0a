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
package io.statesync.spring.boot.testkit;

import java.util.Set;
import java.util.stream.Collectors;

/** ZooKeeper's threads: statesync's, Curator's and ZooKeeper's client threads, and the server's. */
final class Threads {
    private Threads() {}

    /** The ids of the live ZooKeeper threads now. */
    static Set<Long> zooKeeperThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> isZooKeeperThread(t.getName()))
                .map(Thread::getId)
                .collect(Collectors.toSet());
    }

    /** The names of the live ZooKeeper threads that were not in {@code before}. */
    static Set<String> newZooKeeperThreads(Set<Long> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> isZooKeeperThread(t.getName()))
                .filter(t -> !before.contains(t.getId()))
                .map(Thread::getName)
                .collect(Collectors.toSet());
    }

    private static boolean isZooKeeperThread(String name) {
        return name.startsWith("statesync-")
                || name.contains("SendThread")
                || name.contains("EventThread")
                || name.startsWith("Curator-")
                // the server's
                || name.startsWith("NIOServerCxn")
                || name.startsWith("NIOWorkerThread")
                || name.startsWith("ConnnectionExpirer")
                || name.startsWith("SessionTracker")
                || name.startsWith("SyncThread")
                || name.startsWith("ProcessThread")
                || name.startsWith("RequestThrottler");
    }
}
