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
package io.statesync.bench;

import java.time.Duration;

/**
 * The CPU time of the ZooKeeper server process ({@link ZooKeeperProcess#pid()}): user plus system
 * time, as the JDK reads it from {@code /proc/<pid>/stat} on Linux (in clock ticks, 10 ms each on
 * most systems, so only runs of many operations give a useful figure per operation).
 */
final class ServerCpu {
    private ServerCpu() {}

    /**
     * The server process's CPU time so far.
     *
     * @return nanoseconds, or -1 where the operating system does not report it
     */
    static long nanos(ZooKeeperProcess server) {
        return ProcessHandle.of(server.pid())
                .flatMap(p -> p.info().totalCpuDuration())
                .map(Duration::toNanos)
                .orElse(-1L);
    }

    /**
     * The server's CPU time since a reading of {@link #nanos}.
     *
     * @return nanoseconds, or -1 if either reading is unavailable
     */
    static long since(ZooKeeperProcess server, long start) {
        long now = nanos(server);
        return start < 0 || now < 0 ? -1 : now - start;
    }
}
