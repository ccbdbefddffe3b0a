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
package io.statesync.core;

import io.statesync.core.internal.ZPaths;
import java.time.Duration;

/** The checks of {@link Coordinator.Builder#build()}, on the builder's {@link CoordinatorSettings}: each names the option and the value at fault. */
final class BuilderChecks {
    private BuilderChecks() {}

    /**
     * Validates a builder's whole configuration.
     *
     * @param b the builder's settings
     * @throws IllegalArgumentException naming the option and value at fault
     */
    static void validate(CoordinatorSettings b) {
        validateConnectString(b.connectString);
        ZPaths.validateNamespace(b.namespace);
        if (b.sessionTimeout.compareTo(Duration.ofSeconds(1)) < 0
                || b.sessionTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("sessionTimeout must be between 1s and 10min, was " + b.sessionTimeout);
        }
        Duration connection = connectionTimeout(b);
        if (connection.toMillis() < 100) {
            throw new IllegalArgumentException("connectionTimeout must be at least 100ms, was " + connection);
        }
        if (connection.compareTo(b.sessionTimeout) > 0) {
            throw new IllegalArgumentException(
                    "connectionTimeout " + connection + " is longer than sessionTimeout " + b.sessionTimeout);
        }
        Duration operation = operationTimeout(b);
        if (operation.toMillis() < 10 || operation.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("operationTimeout must be between 10ms and 1h, was " + operation);
        }
        Duration down = healthDownAfter(b);
        if (down.compareTo(Duration.ofSeconds(1)) < 0 || down.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("healthDownAfter must be between 1s and 1h, was " + down);
        }
        if (b.maxValueBytes < 1 || b.maxValueBytes > CoordinatorSettings.MAX_VALUE_LIMIT) {
            throw new IllegalArgumentException("maxValueBytes must be between 1 and "
                    + CoordinatorSettings.MAX_VALUE_LIMIT + ", was " + b.maxValueBytes);
        }
        String user = b.digestUser;
        String password = b.digestPassword;
        if (user != null && password != null) {
            if (user.isEmpty() || user.indexOf(':') >= 0) {
                throw new IllegalArgumentException(
                        "digest user must be non-empty and contain no ':', was \"" + user + '"');
            }
            if (password.isEmpty()) {
                throw new IllegalArgumentException("digest password for user \"" + user + "\" is empty");
            }
        } else if (b.aclMode == AclMode.CREATOR_ONLY) {
            throw new IllegalArgumentException(
                    "aclMode CREATOR_ONLY needs credentials: call digestAuthentication(user, password)");
        }
    }

    /** The connection timeout in effect: the one given, else the session timeout, at most 10 s. */
    static Duration connectionTimeout(CoordinatorSettings b) {
        Duration given = b.connectionTimeout;
        if (given != null) {
            return given;
        }
        Duration cap = Duration.ofSeconds(10);
        return b.sessionTimeout.compareTo(cap) < 0 ? b.sessionTimeout : cap;
    }

    /** How long a disconnection is DEGRADED in effect: the limit given, else twice the session timeout. */
    static Duration healthDownAfter(CoordinatorSettings b) {
        Duration given = b.healthDownAfter;
        return given != null ? given : b.sessionTimeout.multipliedBy(2);
    }

    /** The operation timeout in effect: the one given, else the session timeout. */
    static Duration operationTimeout(CoordinatorSettings b) {
        Duration given = b.operationTimeout;
        return given != null ? given : b.sessionTimeout;
    }

    private static void validateConnectString(String connectString) {
        String hosts = connectString;
        int chroot = connectString.indexOf('/');
        if (chroot >= 0) {
            ZPaths.validate(connectString.substring(chroot));
            hosts = connectString.substring(0, chroot);
        }
        if (hosts.isBlank()) {
            throw new IllegalArgumentException("connect string is empty; expected host:port[,host:port...]");
        }
        for (String entry : hosts.split(",", -1)) {
            String hostPort = entry.trim();
            int colon = hostPort.lastIndexOf(':');
            if (hostPort.isEmpty() || colon <= 0 || colon == hostPort.length() - 1) {
                throw new IllegalArgumentException(
                        "connect string \"" + connectString + "\": entry \"" + entry + "\" is not host:port");
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "connect string \"" + connectString + "\": port of \"" + entry + "\" is not a number", e);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(
                        "connect string \"" + connectString + "\": port " + port + " is out of range");
            }
        }
    }
}
