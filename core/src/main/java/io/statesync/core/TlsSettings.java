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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.jspecify.annotations.Nullable;

/**
 * Client TLS for the connection to ZooKeeper: a key store with this client's certificate (for
 * servers that require client authentication) and a trust store with the servers' CA. Passed to
 * ZooKeeper's own client configuration ({@code zookeeper.client.secure}, the Netty socket, {@code
 * zookeeper.ssl.*}); the server side must listen on a secure client port.
 *
 * <p>Thread-safe: immutable. Passwords are kept as given; {@link #toString()} does not show them.
 */
public final class TlsSettings {
    private final @Nullable Path keyStore;
    private final @Nullable String keyStorePassword;
    private final Path trustStore;
    private final @Nullable String trustStorePassword;
    private final String storeType;
    private final boolean hostnameVerification;

    private TlsSettings(Builder b, Path trustStore) {
        this.keyStore = b.keyStore;
        this.keyStorePassword = b.keyStorePassword;
        this.trustStore = trustStore;
        this.trustStorePassword = b.trustStorePassword;
        this.storeType = b.storeType;
        this.hostnameVerification = b.hostnameVerification;
    }

    /**
     * Starts building TLS settings.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The ZooKeeper client properties these settings stand for.
     *
     * @param config the client configuration to fill in
     */
    void applyTo(ZKClientConfig config) {
        ClientX509Util x509 = new ClientX509Util();
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        config.setProperty(x509.getSslTruststoreLocationProperty(), trustStore.toString());
        config.setProperty(x509.getSslTruststoreTypeProperty(), storeType);
        if (trustStorePassword != null) {
            config.setProperty(x509.getSslTruststorePasswdProperty(), trustStorePassword);
        }
        if (keyStore != null) {
            config.setProperty(x509.getSslKeystoreLocationProperty(), keyStore.toString());
            config.setProperty(x509.getSslKeystoreTypeProperty(), storeType);
            if (keyStorePassword != null) {
                config.setProperty(x509.getSslKeystorePasswdProperty(), keyStorePassword);
            }
        }
        config.setProperty(x509.getSslHostnameVerificationEnabledProperty(), Boolean.toString(hostnameVerification));
        x509.close();
    }

    @Override
    public String toString() {
        return "TlsSettings{trustStore=" + trustStore + ", keyStore=" + keyStore + ", type=" + storeType
                + ", hostnameVerification=" + hostnameVerification + '}';
    }

    /** Builds {@link TlsSettings}; each setter may be called once. */
    public static final class Builder {
        private @Nullable Path keyStore;
        private @Nullable String keyStorePassword;
        private @Nullable Path trustStore;
        private @Nullable String trustStorePassword;
        private String storeType = "PKCS12";
        private boolean hostnameVerification = true;

        private Builder() {}

        /**
         * The key store holding this client's certificate and private key (optional: needed when
         * the servers require client authentication).
         *
         * @param path the key store file
         * @param password its password
         * @return this builder
         */
        public Builder keyStore(Path path, String password) {
            this.keyStore = Objects.requireNonNull(path, "path");
            this.keyStorePassword = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * The trust store holding the CA that signed the servers' certificates (required).
         *
         * @param path the trust store file
         * @param password its password
         * @return this builder
         */
        public Builder trustStore(Path path, String password) {
            this.trustStore = Objects.requireNonNull(path, "path");
            this.trustStorePassword = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * The store format of both stores; {@code PKCS12} (the default) or {@code JKS}.
         *
         * @param type the store type
         * @return this builder
         */
        public Builder storeType(String type) {
            Objects.requireNonNull(type, "type");
            if (!type.equals("PKCS12") && !type.equals("JKS")) {
                throw new IllegalArgumentException("store type must be PKCS12 or JKS, was " + type);
            }
            this.storeType = type;
            return this;
        }

        /**
         * Whether the server's certificate must match its host name (default {@code true}). Turn off
         * only for tests with self-signed certificates on loopback.
         *
         * @param enabled whether to verify host names
         * @return this builder
         */
        public Builder hostnameVerification(boolean enabled) {
            this.hostnameVerification = enabled;
            return this;
        }

        /**
         * Validates and builds the settings.
         *
         * @return the settings
         * @throws IllegalArgumentException if the trust store is missing, or a store file does not
         *     exist or cannot be read; the message names the file
         */
        public TlsSettings build() {
            Path trust = trustStore;
            if (trust == null) {
                throw new IllegalArgumentException("TLS needs a trust store: call trustStore(path, password)");
            }
            requireReadable("trust store", trust);
            Path key = keyStore;
            if (key != null) {
                requireReadable("key store", key);
            }
            return new TlsSettings(this, trust);
        }

        private static void requireReadable(String what, Path path) {
            if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
                throw new IllegalArgumentException(what + " " + path + " does not exist or is not a readable file");
            }
        }
    }
}
