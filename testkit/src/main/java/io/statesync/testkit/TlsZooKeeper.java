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
package io.statesync.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * A real ZooKeeper server in this JVM that listens only on a TLS port and requires a client
 * certificate, with the key stores made for it by the JDK's {@code keytool}: a server key pair for
 * {@code localhost}/{@code 127.0.0.1}, a client key pair, and one trust store holding both
 * certificates (PKCS12, password {@link #PASSWORD}). The server sets ZooKeeper's TLS system
 * properties while it runs; {@link #close()} stops it and puts them back as they were.
 */
public final class TlsZooKeeper implements AutoCloseable {
    /** The password of every store made here. */
    public static final String PASSWORD = "changeit";

    private static final List<String> SERVER_PROPERTIES = List.of(
            "zookeeper.serverCnxnFactory",
            "zookeeper.ssl.keyStore.location",
            "zookeeper.ssl.keyStore.password",
            "zookeeper.ssl.trustStore.location",
            "zookeeper.ssl.trustStore.password",
            "zookeeper.ssl.clientAuth",
            "zookeeper.ssl.hostnameVerification",
            "zookeeper.admin.enableServer");

    private final Map<String, String> savedProperties;
    private final ZooKeeperServerEmbedded server;
    private final String connectString;
    private final Path trustStore;
    private final Path clientKeyStore;

    private TlsZooKeeper(
            Map<String, String> savedProperties,
            ZooKeeperServerEmbedded server,
            String connectString,
            Path trustStore,
            Path clientKeyStore) {
        this.savedProperties = savedProperties;
        this.server = server;
        this.connectString = connectString;
        this.trustStore = trustStore;
        this.clientKeyStore = clientKeyStore;
    }

    /**
     * Makes the stores in {@code dir} and starts the server.
     *
     * @param dir an empty directory for the stores and the server's data
     * @return the running server
     * @throws IOException if a store or the data directory cannot be written, or {@code keytool}
     *     fails or does not finish within a minute
     * @throws InterruptedException if interrupted while {@code keytool} runs
     * @throws Exception if the server does not start within 30 seconds
     */
    public static TlsZooKeeper start(Path dir) throws Exception {
        Map<String, String> saved = new HashMap<>();
        for (String p : SERVER_PROPERTIES) {
            String v = System.getProperty(p);
            if (v != null) {
                saved.put(p, v);
            }
        }
        Path serverKeyStore = dir.resolve("server.p12");
        Path clientKeyStore = dir.resolve("client.p12");
        Path trustStore = dir.resolve("trust.p12");
        keyPair("server", "CN=localhost", serverKeyStore, "-ext", "SAN=ip:127.0.0.1,dns:localhost");
        keyPair("client", "CN=statesync-client", clientKeyStore);
        trust("server", serverKeyStore, trustStore, dir.resolve("server.cer"));
        trust("client", clientKeyStore, trustStore, dir.resolve("client.cer"));

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
        ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
                .baseDir(Files.createDirectories(dir.resolve("zk")))
                .configuration(config)
                .exitHandler(ExitHandler.LOG_ONLY)
                .build();
        server.start(TimeUnit.SECONDS.toMillis(30));
        return new TlsZooKeeper(saved, server, "127.0.0.1:" + port, trustStore, clientKeyStore);
    }

    /**
     * The TLS port, as a connect string.
     *
     * @return {@code 127.0.0.1:PORT}
     */
    public String connectString() {
        return connectString;
    }

    /**
     * The trust store holding the server's and the client's certificates.
     *
     * @return its file (PKCS12, {@link #PASSWORD})
     */
    public Path trustStore() {
        return trustStore;
    }

    /**
     * The client's key store, whose certificate the server trusts.
     *
     * @return its file (PKCS12, {@link #PASSWORD})
     */
    public Path clientKeyStore() {
        return clientKeyStore;
    }

    /** Stops the server and restores ZooKeeper's TLS system properties. */
    @Override
    public void close() {
        server.close();
        for (String p : SERVER_PROPERTIES) {
            String v = savedProperties.get(p);
            if (v == null) {
                System.clearProperty(p);
            } else {
                System.setProperty(p, v);
            }
        }
    }

    private static void keyPair(String alias, String dname, Path store, String... extra)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                dname));
        args.addAll(List.of(extra));
        args.addAll(List.of("-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
        keytool(args);
    }

    private static void trust(String alias, Path keyStore, Path trustStore, Path cert)
            throws IOException, InterruptedException {
        keytool(List.of(
                "-exportcert",
                "-alias",
                alias,
                "-keystore",
                keyStore.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                cert.toString()));
        keytool(List.of(
                "-importcert",
                "-noprompt",
                "-alias",
                alias,
                "-file",
                cert.toString(),
                "-keystore",
                trustStore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD));
    }

    private static void keytool(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("keytool " + args.get(0) + " did not finish within 60 s");
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool " + args.get(0) + " failed (" + process.exitValue() + "): " + output);
        }
    }
}
