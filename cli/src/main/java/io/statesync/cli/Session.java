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
package io.statesync.cli;

import io.statesync.core.Coordinator;

/** One connection of a command: the coordinator (for repairs) and read-only access to the znodes. */
final class Session implements AutoCloseable {
    final Coordinator coordinator;
    final Znodes znodes;

    private Session(Coordinator coordinator, Znodes znodes) {
        this.coordinator = coordinator;
        this.znodes = znodes;
    }

    static Session open(ConnectOptions options) throws InterruptedException {
        Coordinator c = options.connect();
        try {
            return new Session(
                    c, new Znodes(c.curatorFramework().getZookeeperClient().getZooKeeper(), options.namespaceName()));
        } catch (Exception e) {
            c.close();
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            throw new CliException(CliException.UNREACHABLE, "no ZooKeeper handle: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        coordinator.close();
    }
}
