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

/**
 * Work that must run on exactly one node: the singleton task of a {@link LeaderElection}.
 *
 * <p>The election calls {@link #run(Leadership)} on a thread of its own when this node becomes
 * leader, and interrupts that thread when leadership is lost (connection loss under the
 * coordinator's policy, session expiry, {@link LeaderElection#relinquish()}, {@link
 * LeaderElection#close()}). A task must stop promptly when interrupted: blocking calls throw
 * {@link InterruptedException}, loops check {@link Thread#isInterrupted()}. How long each stop took
 * is reported through {@link LeaderElection.Builder#onTaskStop}.
 *
 * <p>Use {@link Leadership#epoch()} as the fencing token of everything the task writes, or write
 * through {@link LeaderElection#write(io.statesync.core.GuardedWrite)}.
 */
@FunctionalInterface
public interface LeaderTask {
    /**
     * Runs the task while this node leads.
     *
     * <p>For a task given with {@link LeaderElection.Builder#task(LeaderTask)}, returning (or
     * throwing) while still leader ends this leadership: the node relinquishes, so that a healthy
     * node can take over. For a task given with {@link LeaderElection.Builder#scheduledTask}, this
     * is one tick; an exception is logged and the next tick runs on schedule.
     *
     * @param leadership this node's leadership, with the epoch to fence writes with
     * @throws Exception anything; it is logged and ends this run
     */
    // A callback on the election's own thread: user code may throw anything; the election logs it.
    void run(Leadership leadership) throws Exception;
}
