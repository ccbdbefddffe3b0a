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
package io.statesync.spring.boot;

import io.statesync.core.AclMode;
import io.statesync.core.ConnectionLossPolicy;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code statesync.*} properties: the coordinator's settings, the health indicator's and the
 * leader-only elections'. Every one is optional except {@code statesync.connect-string}; a value
 * the coordinator refuses fails startup with a message naming the property. Defaults are core's
 * ({@code docs/core.md}, "The coordinator").
 *
 * <p>Mutable, as Spring's binder needs; not meant to be changed after startup.
 */
@ConfigurationProperties(prefix = "statesync")
public class StateSyncProperties {
    /** Whether to configure statesync at all. */
    private boolean enabled = true;

    /**
     * ZooKeeper's connect string: host:port pairs separated by commas, every server of the
     * ensemble, e.g. "zk1:2181,zk2:2181,zk3:2181". Required.
     */
    private @Nullable String connectString;

    /**
     * The namespace every recipe's paths live under, without the leading '/'; "" for the root. Use
     * one per service.
     */
    private String namespace = "statesync";

    /**
     * How long the server keeps the session (and so its locks and leadership) after it last heard
     * from this client. 1s to 10min; the servers may narrow it.
     */
    private Duration sessionTimeout = Duration.ofSeconds(30);

    /**
     * How long the first connection and each reconnection may take; at most the session timeout.
     * Default: the session timeout, at most 10s.
     */
    private @Nullable Duration connectionTimeout;

    /**
     * The deadline of every blocking call that is not given its own, 10ms to 1h. Default: the
     * session timeout.
     */
    private @Nullable Duration operationTimeout;

    /**
     * How long a coordinator without a connection is DEGRADED before its health is DOWN, 1s to 1h.
     * Default: twice the session timeout.
     */
    private @Nullable Duration healthDownAfter;

    /**
     * Who may read and change the znodes this coordinator creates: OPEN, or CREATOR_ONLY (needs
     * statesync.digest.user and statesync.digest.password).
     */
    private AclMode aclMode = AclMode.OPEN;

    /** The largest encoded value recipes send, in bytes, 1 to 104857600. */
    private int maxValueBytes = 1_000_000;

    /**
     * Which connection transitions make lock holders and leaders give up: ON_SUSPENDED (the safe
     * default: a dropped connection already), or ON_LOST (only session expiry; two holders are
     * possible for up to 2/3 of the session timeout).
     */
    private ConnectionLossPolicy connectionLossPolicy = ConnectionLossPolicy.ON_SUSPENDED;

    /**
     * Whether to start every recipe bean (any bean that is a statesync Recipe) that is not started
     * yet, after the coordinator and before the application takes traffic. Off by default, so that
     * an application that starts its recipes itself is not changed.
     */
    private boolean startRecipes;

    private final Tls tls = new Tls();

    private final Retry retry = new Retry();

    private final Digest digest = new Digest();

    private final Health health = new Health();

    private final LeaderOnly leaderOnly = new LeaderOnly();

    /**
     * Whether to configure statesync.
     *
     * @return {@code statesync.enabled}
     */
    public boolean isEnabled() {
        return enabled;
    }

    /**
     * Sets {@code statesync.enabled}.
     *
     * @param enabled whether to configure statesync
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * Whether the starter starts the recipe beans.
     *
     * @return {@code statesync.start-recipes}
     */
    public boolean isStartRecipes() {
        return startRecipes;
    }

    /**
     * Sets {@code statesync.start-recipes}.
     *
     * @param startRecipes whether the starter starts every recipe bean not yet started
     */
    public void setStartRecipes(boolean startRecipes) {
        this.startRecipes = startRecipes;
    }

    /**
     * ZooKeeper's connect string.
     *
     * @return {@code statesync.connect-string}, or {@code null} if not set
     */
    public @Nullable String getConnectString() {
        return connectString;
    }

    /**
     * Sets {@code statesync.connect-string}.
     *
     * @param connectString host:port pairs separated by commas
     */
    public void setConnectString(@Nullable String connectString) {
        this.connectString = connectString;
    }

    /**
     * The namespace.
     *
     * @return {@code statesync.namespace}
     */
    public String getNamespace() {
        return namespace;
    }

    /**
     * Sets {@code statesync.namespace}.
     *
     * @param namespace the namespace, without the leading '/'
     */
    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    /**
     * The session timeout.
     *
     * @return {@code statesync.session-timeout}
     */
    public Duration getSessionTimeout() {
        return sessionTimeout;
    }

    /**
     * Sets {@code statesync.session-timeout}.
     *
     * @param sessionTimeout the session timeout
     */
    public void setSessionTimeout(Duration sessionTimeout) {
        this.sessionTimeout = sessionTimeout;
    }

    /**
     * The connection timeout.
     *
     * @return {@code statesync.connection-timeout}, or {@code null} for core's default
     */
    public @Nullable Duration getConnectionTimeout() {
        return connectionTimeout;
    }

    /**
     * Sets {@code statesync.connection-timeout}.
     *
     * @param connectionTimeout the connection timeout
     */
    public void setConnectionTimeout(@Nullable Duration connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    /**
     * The operation timeout.
     *
     * @return {@code statesync.operation-timeout}, or {@code null} for core's default
     */
    public @Nullable Duration getOperationTimeout() {
        return operationTimeout;
    }

    /**
     * Sets {@code statesync.operation-timeout}.
     *
     * @param operationTimeout the operation timeout
     */
    public void setOperationTimeout(@Nullable Duration operationTimeout) {
        this.operationTimeout = operationTimeout;
    }

    /**
     * How long a disconnection is DEGRADED.
     *
     * @return {@code statesync.health-down-after}, or {@code null} for core's default
     */
    public @Nullable Duration getHealthDownAfter() {
        return healthDownAfter;
    }

    /**
     * Sets {@code statesync.health-down-after}.
     *
     * @param healthDownAfter how long a disconnection is DEGRADED before DOWN
     */
    public void setHealthDownAfter(@Nullable Duration healthDownAfter) {
        this.healthDownAfter = healthDownAfter;
    }

    /**
     * The ACL mode.
     *
     * @return {@code statesync.acl-mode}
     */
    public AclMode getAclMode() {
        return aclMode;
    }

    /**
     * Sets {@code statesync.acl-mode}.
     *
     * @param aclMode the ACL mode
     */
    public void setAclMode(AclMode aclMode) {
        this.aclMode = aclMode;
    }

    /**
     * The value size limit.
     *
     * @return {@code statesync.max-value-bytes}
     */
    public int getMaxValueBytes() {
        return maxValueBytes;
    }

    /**
     * Sets {@code statesync.max-value-bytes}.
     *
     * @param maxValueBytes the limit in bytes
     */
    public void setMaxValueBytes(int maxValueBytes) {
        this.maxValueBytes = maxValueBytes;
    }

    /**
     * The connection-loss policy.
     *
     * @return {@code statesync.connection-loss-policy}
     */
    public ConnectionLossPolicy getConnectionLossPolicy() {
        return connectionLossPolicy;
    }

    /**
     * Sets {@code statesync.connection-loss-policy}.
     *
     * @param connectionLossPolicy which transitions are losses
     */
    public void setConnectionLossPolicy(ConnectionLossPolicy connectionLossPolicy) {
        this.connectionLossPolicy = connectionLossPolicy;
    }

    /**
     * The TLS settings.
     *
     * @return {@code statesync.tls.*}
     */
    public Tls getTls() {
        return tls;
    }

    /**
     * The retry policy's settings.
     *
     * @return {@code statesync.retry.*}
     */
    public Retry getRetry() {
        return retry;
    }

    /**
     * The digest credentials.
     *
     * @return {@code statesync.digest.*}
     */
    public Digest getDigest() {
        return digest;
    }

    /**
     * The health indicator's settings.
     *
     * @return {@code statesync.health.*}
     */
    public Health getHealth() {
        return health;
    }

    /**
     * The leader-only elections' settings.
     *
     * @return {@code statesync.leader-only.*}
     */
    public LeaderOnly getLeaderOnly() {
        return leaderOnly;
    }

    /** {@code statesync.retry.*}: how operations retry on a dropped connection (core's {@code Retry}). */
    public static class Retry {
        /** The first sleep before a retry, at least 1ms; each later one up to twice as long. */
        private Duration baseSleep = Duration.ofMillis(100);

        /** The longest sleep between retries, at least the base sleep. */
        private Duration maxSleep = Duration.ofSeconds(5);

        /** How many retries at most, 0 to 29; never past the call's deadline. */
        private int maxRetries = 10;

        /**
         * The first sleep.
         *
         * @return {@code statesync.retry.base-sleep}
         */
        public Duration getBaseSleep() {
            return baseSleep;
        }

        /**
         * Sets {@code statesync.retry.base-sleep}.
         *
         * @param baseSleep the first sleep
         */
        public void setBaseSleep(Duration baseSleep) {
            this.baseSleep = baseSleep;
        }

        /**
         * The longest sleep.
         *
         * @return {@code statesync.retry.max-sleep}
         */
        public Duration getMaxSleep() {
            return maxSleep;
        }

        /**
         * Sets {@code statesync.retry.max-sleep}.
         *
         * @param maxSleep the longest sleep
         */
        public void setMaxSleep(Duration maxSleep) {
            this.maxSleep = maxSleep;
        }

        /**
         * How many retries at most.
         *
         * @return {@code statesync.retry.max-retries}
         */
        public int getMaxRetries() {
            return maxRetries;
        }

        /**
         * Sets {@code statesync.retry.max-retries}.
         *
         * @param maxRetries the number of retries
         */
        public void setMaxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
        }
    }

    /** {@code statesync.digest.*}: authenticates the session with ZooKeeper's digest scheme. */
    public static class Digest {
        /** The digest user name: not empty, no ':'. Set together with the password. */
        private @Nullable String user;

        /** The digest password: not empty. Set together with the user. */
        private @Nullable String password;

        /**
         * The user.
         *
         * @return {@code statesync.digest.user}, or {@code null} if not set
         */
        public @Nullable String getUser() {
            return user;
        }

        /**
         * Sets {@code statesync.digest.user}.
         *
         * @param user the user name
         */
        public void setUser(@Nullable String user) {
            this.user = user;
        }

        /**
         * The password.
         *
         * @return {@code statesync.digest.password}, or {@code null} if not set
         */
        public @Nullable String getPassword() {
            return password;
        }

        /**
         * Sets {@code statesync.digest.password}.
         *
         * @param password the password
         */
        public void setPassword(@Nullable String password) {
            this.password = password;
        }
    }

    /** {@code statesync.health.*}: the {@code statesync} health indicator. */
    public static class Health {
        /**
         * Whether the statesync health indicator joins the readiness group (never the liveness
         * group). Ignored when management.endpoint.health.group.readiness.include is set: that list
         * decides.
         */
        private boolean readiness = true;

        /**
         * Whether the indicator joins the readiness group.
         *
         * @return {@code statesync.health.readiness}
         */
        public boolean isReadiness() {
            return readiness;
        }

        /**
         * Sets {@code statesync.health.readiness}.
         *
         * @param readiness whether the indicator joins the readiness group
         */
        public void setReadiness(boolean readiness) {
            this.readiness = readiness;
        }
    }

    /** {@code statesync.leader-only.*}: the elections behind {@code @LeaderOnly}. */
    public static class LeaderOnly {
        /** The parent path of the @LeaderOnly elections; the election "billing" is at <base-path>/billing. */
        private String basePath = "/leader-only";

        /**
         * How long a leader-only method may take to end after its interrupt when leadership ends
         * before it is reported as overrunning; the hand-over waits for it either way.
         */
        private Duration stopTimeout = Duration.ofSeconds(10);

        /**
         * How long a leader keeps leading (its methods keep running) through a SUSPENDED connection
         * before giving up; 0 (the default) gives up at once. Must be under a third of the session
         * timeout. Only applies under the connection-loss policy ON_SUSPENDED.
         */
        private Duration suspendGrace = Duration.ZERO;

        /**
         * How long a new leader waits before its methods run when the previous leader vanished
         * without a clean hand-over (crash, session expiry), so that the previous leader has stopped
         * first. Default: the stop timeout plus a third of the granted session timeout.
         */
        private @Nullable Duration takeoverDelay;

        /**
         * The parent path.
         *
         * @return {@code statesync.leader-only.base-path}
         */
        public String getBasePath() {
            return basePath;
        }

        /**
         * Sets {@code statesync.leader-only.base-path}.
         *
         * @param basePath the parent path of the elections
         */
        public void setBasePath(String basePath) {
            this.basePath = basePath;
        }

        /**
         * The stop timeout.
         *
         * @return {@code statesync.leader-only.stop-timeout}
         */
        public Duration getStopTimeout() {
            return stopTimeout;
        }

        /**
         * Sets {@code statesync.leader-only.stop-timeout}.
         *
         * @param stopTimeout the stop timeout
         */
        public void setStopTimeout(Duration stopTimeout) {
            this.stopTimeout = stopTimeout;
        }

        /**
         * The grace period through SUSPENDED.
         *
         * @return {@code statesync.leader-only.suspend-grace}
         */
        public Duration getSuspendGrace() {
            return suspendGrace;
        }

        /**
         * Sets {@code statesync.leader-only.suspend-grace}.
         *
         * @param suspendGrace zero, or under a third of the session timeout
         */
        public void setSuspendGrace(Duration suspendGrace) {
            this.suspendGrace = suspendGrace;
        }

        /**
         * The takeover delay after a leader vanished.
         *
         * @return {@code statesync.leader-only.takeover-delay}, or {@code null} for the election's
         *     default
         */
        public @Nullable Duration getTakeoverDelay() {
            return takeoverDelay;
        }

        /**
         * Sets {@code statesync.leader-only.takeover-delay}.
         *
         * @param takeoverDelay zero or positive
         */
        public void setTakeoverDelay(@Nullable Duration takeoverDelay) {
            this.takeoverDelay = takeoverDelay;
        }
    }

    /**
     * {@code statesync.tls.*}: connecting over TLS (core's {@code TlsSettings}). The servers must
     * listen on a secure client port.
     */
    public static class Tls {
        /** Whether to connect over TLS; needs statesync.tls.trust-store. */
        private boolean enabled;

        /** The trust store file holding the CA that signed the servers' certificates. */
        private @Nullable String trustStore;

        /** The trust store's password. */
        private @Nullable String trustStorePassword;

        /** The key store file holding this client's certificate and key, if the servers require client authentication. */
        private @Nullable String keyStore;

        /** The key store's password. */
        private @Nullable String keyStorePassword;

        /** The format of both stores: PKCS12 or JKS. */
        private String storeType = "PKCS12";

        /** Whether the servers' certificates must match their host names; turn off only for tests. */
        private boolean hostnameVerification = true;

        /**
         * Whether to connect over TLS.
         *
         * @return {@code statesync.tls.enabled}
         */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets {@code statesync.tls.enabled}.
         *
         * @param enabled whether to connect over TLS
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /**
         * The trust store file.
         *
         * @return {@code statesync.tls.trust-store}, or {@code null} if not set
         */
        public @Nullable String getTrustStore() {
            return trustStore;
        }

        /**
         * Sets {@code statesync.tls.trust-store}.
         *
         * @param trustStore the trust store's file path
         */
        public void setTrustStore(@Nullable String trustStore) {
            this.trustStore = trustStore;
        }

        /**
         * The trust store's password.
         *
         * @return {@code statesync.tls.trust-store-password}, or {@code null} if not set
         */
        public @Nullable String getTrustStorePassword() {
            return trustStorePassword;
        }

        /**
         * Sets {@code statesync.tls.trust-store-password}.
         *
         * @param trustStorePassword the password
         */
        public void setTrustStorePassword(@Nullable String trustStorePassword) {
            this.trustStorePassword = trustStorePassword;
        }

        /**
         * The key store file.
         *
         * @return {@code statesync.tls.key-store}, or {@code null} if not set
         */
        public @Nullable String getKeyStore() {
            return keyStore;
        }

        /**
         * Sets {@code statesync.tls.key-store}.
         *
         * @param keyStore the key store's file path
         */
        public void setKeyStore(@Nullable String keyStore) {
            this.keyStore = keyStore;
        }

        /**
         * The key store's password.
         *
         * @return {@code statesync.tls.key-store-password}, or {@code null} if not set
         */
        public @Nullable String getKeyStorePassword() {
            return keyStorePassword;
        }

        /**
         * Sets {@code statesync.tls.key-store-password}.
         *
         * @param keyStorePassword the password
         */
        public void setKeyStorePassword(@Nullable String keyStorePassword) {
            this.keyStorePassword = keyStorePassword;
        }

        /**
         * The stores' format.
         *
         * @return {@code statesync.tls.store-type}
         */
        public String getStoreType() {
            return storeType;
        }

        /**
         * Sets {@code statesync.tls.store-type}.
         *
         * @param storeType PKCS12 or JKS
         */
        public void setStoreType(String storeType) {
            this.storeType = storeType;
        }

        /**
         * Whether host names are verified.
         *
         * @return {@code statesync.tls.hostname-verification}
         */
        public boolean isHostnameVerification() {
            return hostnameVerification;
        }

        /**
         * Sets {@code statesync.tls.hostname-verification}.
         *
         * @param hostnameVerification whether to verify host names
         */
        public void setHostnameVerification(boolean hostnameVerification) {
            this.hostnameVerification = hostnameVerification;
        }
    }
}
