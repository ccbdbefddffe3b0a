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

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.statesync.core.internal.Nodes;
import io.statesync.testkit.TlsZooKeeper;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator with {@link TlsSettings} talks to a real ZooKeeper that listens only on a TLS port
 * and requires client certificates; one without TLS cannot.
 */
@Timeout(120)
class TlsTest {
    private static final String PASSWORD = TlsZooKeeper.PASSWORD;

    @TempDir
    static Path dir;

    private static TlsZooKeeper server;
    private static String connectString;
    private static Path trustStore;
    private static Path clientKeyStore;

    @BeforeAll
    static void startTlsServer() throws Exception {
        server = TlsZooKeeper.start(dir);
        connectString = server.connectString();
        trustStore = server.trustStore();
        clientKeyStore = server.clientKeyStore();
    }

    @AfterAll
    static void stopTlsServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aTlsCoordinatorReadsAndWritesOverTls() throws Exception {
        TlsSettings tls = TlsSettings.builder()
                .trustStore(trustStore, PASSWORD)
                .keyStore(clientKeyStore, PASSWORD)
                .build();
        try (Coordinator c =
                Coordinator.builder(connectString).namespace("tls").tls(tls).build()) {
            c.start();
            c.awaitConnected(Duration.ofSeconds(30));
            Nodes.create(c, "/secure", "over tls".getBytes(UTF_8), CreateMode.PERSISTENT);
            assertThat(Nodes.read(c, "/secure").orElseThrow().value()).isEqualTo("over tls".getBytes(UTF_8));
        }
    }

    @Test
    void aPlainCoordinatorCannotConnect() throws Exception {
        try (Coordinator c = Coordinator.builder(connectString)
                .namespace("plain")
                .connectionTimeout(Duration.ofSeconds(1))
                .sessionTimeout(Duration.ofSeconds(2))
                .build()) {
            c.start();
            assertThatThrownBy(() -> c.awaitConnected(Duration.ofSeconds(3)))
                    .isInstanceOf(OperationTimeoutException.class);
        }
    }
}
