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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every option is validated at build(), with a message that names it; nothing touches the network. */
class CoordinatorBuilderTest {

    @Test
    void defaultsAreDocumentedValues() {
        try (Coordinator c = Coordinator.builder("localhost:2181").build()) {
            assertThat(c.namespace()).isEqualTo("statesync");
            assertThat(c.sessionTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(c.connectionLossPolicy()).isEqualTo(ConnectionLossPolicy.ON_SUSPENDED);
            assertThat(c.aclMode()).isEqualTo(AclMode.OPEN);
            assertThat(c.maxValueBytes()).isEqualTo(1_000_000);
            assertThat(c.retry().maxRetries()).isEqualTo(10);
            assertThat(c.state()).isEqualTo(LifecycleState.LATENT);
            assertThat(c.sessionId()).isZero();
            assertThat(c.isConnected()).isFalse();
        }
    }

    @Test
    void timeoutsDeriveFromTheSessionTimeout() {
        // A short session timeout alone is a coherent configuration: the connection timeout follows it.
        Coordinator.builder("localhost:2181")
                .sessionTimeout(Duration.ofSeconds(2))
                .build()
                .close();
        try (Coordinator c = Coordinator.builder("localhost:2181")
                .sessionTimeout(Duration.ofSeconds(4))
                .build()) {
            assertThat(c.operationTimeout()).isEqualTo(Duration.ofSeconds(4));
            assertThat(c.negotiatedSessionTimeout())
                    .as("before a session exists, the requested value")
                    .isEqualTo(Duration.ofSeconds(4));
        }
        try (Coordinator c = Coordinator.builder("localhost:2181")
                .sessionTimeout(Duration.ofSeconds(4))
                .operationTimeout(Duration.ofMillis(1500))
                .build()) {
            assertThat(c.operationTimeout()).isEqualTo(Duration.ofMillis(1500));
        }
        assertThatThrownBy(() -> Coordinator.builder("h:1")
                        .operationTimeout(Duration.ofMillis(1))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operationTimeout")
                .hasMessageContaining("PT0.001S");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", " ", "localhost", "localhost:", ":2181", "host:port", "host:70000", "a:1,,b:2", "a:1/bad/"})
    void badConnectStringsAreNamed(String connectString) {
        assertThatThrownBy(() -> Coordinator.builder(connectString).build())
                .isInstanceOf(IllegalArgumentException.class)
                .satisfiesAnyOf(
                        e -> assertThat(e).hasMessageContaining("connect string"),
                        e -> assertThat(e).hasMessageContaining("invalid path"));
    }

    @Test
    void chrootAndEnsemblesAreAccepted() {
        Coordinator.builder("a:1,b:2,c:3").build().close();
        Coordinator.builder("a:1,b:2/chroot/x").build().close();
        Coordinator.builder("[::1]:2181").build().close();
    }

    @Test
    void badOptionsAreNamed() {
        assertThatThrownBy(() -> Coordinator.builder("h:1").namespace("/abs").build())
                .hasMessageContaining("namespace \"/abs\"");
        assertThatThrownBy(() -> Coordinator.builder("h:1").namespace("a/../b").build())
                .hasMessageContaining("a/../b");
        assertThatThrownBy(() -> Coordinator.builder("h:1")
                        .sessionTimeout(Duration.ofMillis(10))
                        .build())
                .hasMessageContaining("sessionTimeout")
                .hasMessageContaining("PT0.01S");
        assertThatThrownBy(() -> Coordinator.builder("h:1")
                        .sessionTimeout(Duration.ofSeconds(5))
                        .connectionTimeout(Duration.ofSeconds(6))
                        .build())
                .hasMessageContaining("connectionTimeout PT6S is longer than sessionTimeout PT5S");
        assertThatThrownBy(() -> Coordinator.builder("h:1").maxValueBytes(0).build())
                .hasMessageContaining("maxValueBytes");
        assertThatThrownBy(() ->
                        Coordinator.builder("h:1").aclMode(AclMode.CREATOR_ONLY).build())
                .hasMessageContaining("CREATOR_ONLY")
                .hasMessageContaining("digestAuthentication");
        assertThatThrownBy(() -> Coordinator.builder("h:1")
                        .digestAuthentication("a:b", "pw")
                        .build())
                .hasMessageContaining("\"a:b\"");
        assertThatThrownBy(() -> Coordinator.builder("h:1")
                        .digestAuthentication("app", "")
                        .build())
                .hasMessageContaining("password");
    }

    @Test
    void settingAnOptionTwiceIsAMistake() {
        assertThatThrownBy(() -> Coordinator.builder("h:1").namespace("a").namespace("b"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("namespace was already set");
    }

    @Test
    void retryBoundsAreChecked() {
        assertThatThrownBy(() -> Retry.exponentialBackoff(Duration.ZERO, Duration.ofSeconds(1), 3))
                .hasMessageContaining("baseSleep");
        assertThatThrownBy(() -> Retry.exponentialBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 3))
                .hasMessageContaining("maxSleep");
        assertThatThrownBy(() -> Retry.exponentialBackoff(Duration.ofMillis(1), Duration.ofSeconds(1), 30))
                .hasMessageContaining("maxRetries");
        assertThat(Retry.none().maxRetries()).isZero();
    }

    @Test
    void lossPolicyDecidesWhichTransitionsAreLosses() {
        assertThat(ConnectionLossPolicy.ON_SUSPENDED.isLoss(ConnectionEvent.Kind.SUSPENDED))
                .isTrue();
        assertThat(ConnectionLossPolicy.ON_SUSPENDED.isLoss(ConnectionEvent.Kind.LOST))
                .isTrue();
        assertThat(ConnectionLossPolicy.ON_SUSPENDED.isLoss(ConnectionEvent.Kind.RECONNECTED))
                .isFalse();
        assertThat(ConnectionLossPolicy.ON_LOST.isLoss(ConnectionEvent.Kind.SUSPENDED))
                .isFalse();
        assertThat(ConnectionLossPolicy.ON_LOST.isLoss(ConnectionEvent.Kind.LOST))
                .isTrue();
    }

    @Test
    void tlsSettingsNeedReadableStoresAndBecomeZooKeeperClientProperties(@TempDir Path dir) throws IOException {
        Path trust = Files.write(dir.resolve("trust.p12"), new byte[] {1});
        Path key = Files.write(dir.resolve("key.p12"), new byte[] {1});
        assertThatThrownBy(() -> TlsSettings.builder().build()).hasMessageContaining("trust store");
        assertThatThrownBy(() -> TlsSettings.builder()
                        .trustStore(dir.resolve("missing.p12"), "pw")
                        .build())
                .hasMessageContaining("missing.p12");
        assertThatThrownBy(() -> TlsSettings.builder().storeType("PEMX")).hasMessageContaining("PEMX");

        TlsSettings tls = TlsSettings.builder()
                .trustStore(trust, "trust-pw")
                .keyStore(key, "key-pw")
                .hostnameVerification(false)
                .build();
        ZKClientConfig config = new ZKClientConfig();
        tls.applyTo(config);
        assertThat(config.getProperty("zookeeper.client.secure")).isEqualTo("true");
        assertThat(config.getProperty("zookeeper.clientCnxnSocket"))
                .isEqualTo("org.apache.zookeeper.ClientCnxnSocketNetty");
        assertThat(config.getProperty("zookeeper.ssl.trustStore.location")).isEqualTo(trust.toString());
        assertThat(config.getProperty("zookeeper.ssl.trustStore.password")).isEqualTo("trust-pw");
        assertThat(config.getProperty("zookeeper.ssl.keyStore.location")).isEqualTo(key.toString());
        assertThat(config.getProperty("zookeeper.ssl.keyStore.password")).isEqualTo("key-pw");
        assertThat(config.getProperty("zookeeper.ssl.hostnameVerification")).isEqualTo("false");
        assertThat(tls.toString()).doesNotContain("pw");
    }
}
