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

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The CPU time of the benchmark's own process: every client of a run (statesync, Curator or the
 * raw client, their I/O and event threads, the JVM's GC), never the server, which runs in a process
 * of its own ({@link ZooKeeperProcess}). Per operation, it is what a client-side cost such as
 * instrumentation adds, without the server's and the network's variance.
 */
final class ClientCpu {
    private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();

    private ClientCpu() {}

    /**
     * The process's CPU time so far.
     *
     * @return nanoseconds, or -1 where the JVM does not report it
     */
    static long nanos() {
        if (OS instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * The CPU time used since a reading of {@link #nanos()}.
     *
     * @param start the earlier reading
     * @return nanoseconds, or -1 if either reading is unavailable
     */
    static long since(long start) {
        long now = nanos();
        return start < 0 || now < 0 ? -1 : now - start;
    }
}
