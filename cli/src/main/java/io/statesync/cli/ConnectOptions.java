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
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * How every command connects: the demo's options ({@code --connect}, {@code --namespace}, {@code
 * --session-timeout}, {@code --connection-timeout}), plus ACL credentials and TLS.
 */
final class ConnectOptions {
    @Option(
            names = "--connect",
            required = true,
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "The ZooKeeper ensemble, e.g. zk1:2181,zk2:2181,zk3:2181.")
    String connect;

    @Option(
            names = "--namespace",
            paramLabel = "NAME",
            defaultValue = "statesync",
            description = "The namespace (chroot) the application's coordinator uses (default: ${DEFAULT-VALUE},"
                    + " the coordinator's own default; '' for the root).")
    String namespace;

    @Option(
            names = "--session-timeout",
            defaultValue = "10s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "ZooKeeper session timeout of this tool's session (default: ${DEFAULT-VALUE}).")
    Duration sessionTimeout;

    @Option(
            names = "--connection-timeout",
            defaultValue = "5s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long to wait for the first connection before giving up with exit code 3"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration connectionTimeout;

    @Option(
            names = "--digest",
            paramLabel = "USER:PASSWORD",
            description = "Digest credentials for znodes with ACLs (as the application's digestAuthentication).")
    @Nullable
    String digest;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "Key store for TLS (client certificate).")
    @Nullable
    Path keyStore;

    @Option(names = "--tls-keystore-password", paramLabel = "PASSWORD", description = "The key store's password.")
    @Nullable
    String keyStorePassword;

    @Option(names = "--tls-truststore", paramLabel = "FILE", description = "Trust store for TLS; turns TLS on.")
    @Nullable
    Path trustStore;

    @Option(names = "--tls-truststore-password", paramLabel = "PASSWORD", description = "The trust store's password.")
    @Nullable
    String trustStorePassword;

    @Option(
            names = "--tls-store-type",
            paramLabel = "TYPE",
            description = "The stores' type, e.g. PKCS12 or JKS (default: from the file name).")
    @Nullable
    String storeType;

    /** The namespace as the coordinator takes it: no leading or trailing slash. */
    String namespaceName() {
        String ns = namespace.trim();
        while (ns.startsWith("/")) {
            ns = ns.substring(1);
        }
        while (ns.endsWith("/")) {
            ns = ns.substring(0, ns.length() - 1);
        }
        return ns;
    }

    /**
     * Builds, starts and connects a coordinator, or fails with exit code 3 after the connection
     * timeout.
     */
    Coordinator connect() throws InterruptedException {
        Coordinator.Builder b = Coordinator.builder(connect)
                .namespace(namespaceName())
                .sessionTimeout(sessionTimeout)
                .connectionTimeout(
                        connectionTimeout.compareTo(sessionTimeout) > 0 ? sessionTimeout : connectionTimeout);
        String d = digest;
        if (d != null) {
            int colon = d.indexOf(':');
            if (colon < 1) {
                throw new CliException(CliException.FAILED, "--digest must be USER:PASSWORD, was \"" + d + "\"");
            }
            b.digestAuthentication(d.substring(0, colon), d.substring(colon + 1));
        }
        Path trust = trustStore;
        if (trust != null || keyStore != null) {
            TlsSettings.Builder tls = TlsSettings.builder();
            Path key = keyStore;
            if (key != null) {
                tls.keyStore(key, keyStorePassword == null ? "" : keyStorePassword);
            }
            if (trust != null) {
                tls.trustStore(trust, trustStorePassword == null ? "" : trustStorePassword);
            }
            String type = storeType;
            if (type != null) {
                tls.storeType(type);
            }
            b.tls(tls.build());
        }
        Coordinator coordinator = b.build();
        coordinator.start();
        try {
            coordinator.awaitConnected(connectionTimeout);
            return coordinator;
        } catch (OperationTimeoutException e) {
            coordinator.close();
            throw new CliException(
                    CliException.UNREACHABLE,
                    "cannot reach ZooKeeper at " + connect + " within " + DurationConverter.show(connectionTimeout)
                            + ": is it running, and are host and port right?");
        } catch (InterruptedException | RuntimeException e) {
            coordinator.close();
            throw e;
        }
    }
}
