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
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
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
    private static final String PASSWORD = "changeit";
    private static final List<String> SERVER_PROPERTIES = List.of(
            "zookeeper.serverCnxnFactory",
            "zookeeper.ssl.keyStore.location",
            "zookeeper.ssl.keyStore.password",
            "zookeeper.ssl.trustStore.location",
            "zookeeper.ssl.trustStore.password",
            "zookeeper.ssl.clientAuth",
            "zookeeper.ssl.hostnameVerification",
            "zookeeper.admin.enableServer");

    @TempDir
    static Path dir;

    private static final Map<String, String> savedProperties = new HashMap<>();
    private static ZooKeeperServerEmbedded server;
    private static String connectString;
    private static Path trustStore;
    private static Path clientKeyStore;

    @BeforeAll
    static void startTlsServer() throws Exception {
        for (String p : SERVER_PROPERTIES) {
            String v = System.getProperty(p);
            if (v != null) {
                savedProperties.put(p, v);
            }
        }
        Path serverKeyStore = dir.resolve("server.p12");
        clientKeyStore = dir.resolve("client.p12");
        trustStore = dir.resolve("trust.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore",
                serverKeyStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD);
        keytool(
                "-genkeypair",
                "-alias",
                "client",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=statesync-client",
                "-keystore",
                clientKeyStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD);
        Path serverCert = dir.resolve("server.cer");
        Path clientCert = dir.resolve("client.cer");
        keytool(
                "-exportcert",
                "-alias",
                "server",
                "-keystore",
                serverKeyStore.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                serverCert.toString());
        keytool(
                "-exportcert",
                "-alias",
                "client",
                "-keystore",
                clientKeyStore.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                clientCert.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "server",
                "-file",
                serverCert.toString(),
                "-keystore",
                trustStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD);
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "client",
                "-file",
                clientCert.toString(),
                "-keystore",
                trustStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD);

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Properties config = new Properties();
        config.setProperty("secureClientPort", Integer.toString(port));
        config.setProperty("secureClientPortAddress", "127.0.0.1");
        config.setProperty("tickTime", "200");
        config.setProperty("admin.enableServer", "false");
        config.setProperty("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory");
        config.setProperty("ssl.keyStore.location", serverKeyStore.toString());
        config.setProperty("ssl.keyStore.password", PASSWORD);
        config.setProperty("ssl.trustStore.location", trustStore.toString());
        config.setProperty("ssl.trustStore.password", PASSWORD);
        config.setProperty("ssl.clientAuth", "need");
        Path data = Files.createDirectories(dir.resolve("zk"));
        server = ZooKeeperServerEmbedded.builder()
                .baseDir(data)
                .configuration(config)
                .exitHandler(ExitHandler.LOG_ONLY)
                .build();
        server.start(TimeUnit.SECONDS.toMillis(30));
        connectString = "127.0.0.1:" + port;
    }

    @AfterAll
    static void stopTlsServer() {
        if (server != null) {
            server.close();
        }
        for (String p : SERVER_PROPERTIES) {
            String v = savedProperties.get(p);
            if (v == null) {
                System.clearProperty(p);
            } else {
                System.setProperty(p, v);
            }
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("keytool %s: %s", args[0], output).isZero();
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
