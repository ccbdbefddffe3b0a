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
package io.statesync.demo;

import io.statesync.core.Coordinator;
import io.statesync.core.OperationTimeoutException;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How a single-node command connects: namespace and timeouts (the connect string is its own option). */
final class ConnectOptions {
    @Option(
            names = "--namespace",
            paramLabel = "NAME",
            defaultValue = "statesync-demo",
            description = "ZooKeeper namespace (chroot) every node of the demo shares (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(
            names = "--session-timeout",
            defaultValue = "6s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "ZooKeeper session timeout: how long after a node dies its lock, leadership and"
                    + " membership go (default: ${DEFAULT-VALUE}).")
    Duration sessionTimeout;

    @Option(
            names = "--connection-timeout",
            defaultValue = "5s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long to wait for the first connection before giving up with exit code 3"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration connectionTimeout;

    Coordinator connect(String connectString) throws InterruptedException {
        return connect(connectString, namespace, sessionTimeout, connectionTimeout);
    }

    /**
     * Builds, starts and connects a coordinator, or fails with {@link ZooKeeperUnreachableException}
     * after the connection timeout.
     */
    static Coordinator connect(
            String connectString, String namespace, Duration sessionTimeout, Duration connectionTimeout)
            throws InterruptedException {
        Coordinator coordinator = Coordinator.builder(connectString)
                .namespace(namespace)
                .sessionTimeout(sessionTimeout)
                .connectionTimeout(connectionTimeout.compareTo(sessionTimeout) > 0 ? sessionTimeout : connectionTimeout)
                .build();
        coordinator.start();
        try {
            coordinator.awaitConnected(connectionTimeout);
            return coordinator;
        } catch (OperationTimeoutException e) {
            coordinator.close();
            throw new ZooKeeperUnreachableException(connectString, connectionTimeout);
        } catch (InterruptedException | RuntimeException e) {
            coordinator.close();
            throw e;
        }
    }
}
