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

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.testkit.TlsZooKeeper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command's TLS options against a real ZooKeeper that listens only on a TLS port and requires a
 * client certificate: with the stores it connects and reads, without them it cannot reach the
 * server and says so.
 */
@Timeout(120)
class CliTlsTest {
    @TempDir
    static Path dir;

    private static TlsZooKeeper server;

    @BeforeAll
    static void startTlsServer() throws Exception {
        server = TlsZooKeeper.start(dir);
    }

    @AfterAll
    static void stopTlsServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void withTheStoresTheCommandConnectsOverTlsAndReads() {
        CliTestSupport.Result r = CliTestSupport.runRaw(
                "",
                "tree",
                "/",
                "--json",
                "--connect",
                server.connectString(),
                "--namespace",
                "",
                "--tls-truststore",
                server.trustStore().toString(),
                "--tls-truststore-password",
                TlsZooKeeper.PASSWORD,
                "--tls-keystore",
                server.clientKeyStore().toString(),
                "--tls-keystore-password",
                TlsZooKeeper.PASSWORD);

        assertThat(r.code()).as("stderr: %s", r.err()).isZero();
        assertThat(r.json().isObject() || r.json().isArray()).isTrue();
    }

    @Test
    void withoutTlsTheServerCannotBeReached() {
        CliTestSupport.Result r = CliTestSupport.runRaw(
                "", "tree", "/", "--connect", server.connectString(), "--connection-timeout", "2s");

        assertThat(r.code()).isEqualTo(CliException.UNREACHABLE);
        assertThat(r.err().strip().lines()).hasSize(1);
    }
}
