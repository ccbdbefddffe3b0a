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
import io.statesync.core.Coordinator;
import io.statesync.core.Retry;
import io.statesync.core.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Builds the coordinator from {@link StateSyncProperties}. When core refuses the settings, finds the
 * property at fault by building again with one property more at a time (a build touches no network
 * and starts no thread), so the error names the property without reading core's message.
 */
final class CoordinatorFactory {
    private static final String PREFIX = "statesync.";

    private CoordinatorFactory() {}

    /** One property: its name, its value as shown in an error, and how it sets the builder. */
    private record Step(String property, @Nullable Object shownValue, UnaryOperator<Coordinator.Builder> apply) {}

    /**
     * Builds the coordinator (not started).
     *
     * @param threadFactory the application's {@link StateSyncThreadFactory @StateSyncThreadFactory},
     *     or {@code null} for core's default
     * @throws InvalidConfigurationPropertyValueException naming the property at fault, with core's
     *     reason
     */
    static Coordinator build(StateSyncProperties properties, @Nullable ThreadFactory threadFactory) {
        String connectString = properties.getConnectString();
        if (connectString == null || connectString.isBlank()) {
            throw new InvalidConfigurationPropertyValueException(
                    PREFIX + "connect-string",
                    connectString,
                    "statesync needs ZooKeeper's connect string (host:port pairs separated by commas);"
                            + " set statesync.connect-string, or statesync.enabled=false to turn statesync off");
        }
        Retry retry = retry(properties.getRetry());
        List<Step> steps = steps(properties, retry);
        TlsSettings tls = tls(properties.getTls());
        if (tls != null) {
            steps.add(new Step(PREFIX + "tls", tls, b -> b.tls(tls)));
        }
        if (threadFactory != null) {
            // Not a property; core refuses no factory, so it is never the step at fault.
            steps.add(new Step("@StateSyncThreadFactory", threadFactory, b -> b.threadFactory(threadFactory)));
        }
        try {
            return applyAll(Coordinator.builder(connectString), steps).build();
        } catch (IllegalArgumentException refused) {
            throw attribute(connectString, steps, refused);
        }
    }

    private static Coordinator.Builder applyAll(Coordinator.Builder builder, List<Step> steps) {
        Coordinator.Builder b = builder;
        for (Step step : steps) {
            b = step.apply().apply(b);
        }
        return b;
    }

    private static List<Step> steps(StateSyncProperties p, Retry retry) {
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(PREFIX + "namespace", p.getNamespace(), b -> b.namespace(p.getNamespace())));
        steps.add(new Step(
                PREFIX + "session-timeout", p.getSessionTimeout(), b -> b.sessionTimeout(p.getSessionTimeout())));
        Duration connection = p.getConnectionTimeout();
        if (connection != null) {
            steps.add(new Step(PREFIX + "connection-timeout", connection, b -> b.connectionTimeout(connection)));
        }
        Duration operation = p.getOperationTimeout();
        if (operation != null) {
            steps.add(new Step(PREFIX + "operation-timeout", operation, b -> b.operationTimeout(operation)));
        }
        Duration down = p.getHealthDownAfter();
        if (down != null) {
            steps.add(new Step(PREFIX + "health-down-after", down, b -> b.healthDownAfter(down)));
        }
        steps.add(new Step(PREFIX + "retry", retry, b -> b.retry(retry)));
        ConnectionLossPolicy policy = p.getConnectionLossPolicy();
        steps.add(new Step(PREFIX + "connection-loss-policy", policy, b -> b.connectionLossPolicy(policy)));
        String user = p.getDigest().getUser();
        String password = p.getDigest().getPassword();
        if (user != null || password != null) {
            if (user == null) {
                throw new InvalidConfigurationPropertyValueException(
                        PREFIX + "digest.user", null, "statesync.digest.password is set without statesync.digest.user");
            }
            if (password == null) {
                throw new InvalidConfigurationPropertyValueException(
                        PREFIX + "digest.password",
                        null,
                        "statesync.digest.user is set without statesync.digest.password");
            }
            // The user is shown; the password never is.
            steps.add(new Step(
                    user.isEmpty() || user.indexOf(':') >= 0 ? PREFIX + "digest.user" : PREFIX + "digest.password",
                    user.isEmpty() || user.indexOf(':') >= 0 ? user : "******",
                    b -> b.digestAuthentication(user, password)));
        }
        AclMode acl = p.getAclMode();
        steps.add(new Step(PREFIX + "acl-mode", acl, b -> b.aclMode(acl)));
        steps.add(
                new Step(PREFIX + "max-value-bytes", p.getMaxValueBytes(), b -> b.maxValueBytes(p.getMaxValueBytes())));
        return steps;
    }

    /** Builds with one property more at a time: the first build refused names the property. */
    private static InvalidConfigurationPropertyValueException attribute(
            String connectString, List<Step> steps, IllegalArgumentException refused) {
        Coordinator.Builder builder;
        try {
            builder = Coordinator.builder(connectString);
            builder.build().close();
        } catch (IllegalArgumentException e) {
            return invalid(PREFIX + "connect-string", connectString, e);
        }
        List<Step> applied = new ArrayList<>();
        for (Step step : steps) {
            applied.add(step);
            try {
                applyAll(Coordinator.builder(connectString), applied).build().close();
            } catch (IllegalArgumentException e) {
                return invalid(step.property(), step.shownValue(), e);
            }
        }
        // Not attributable (cannot happen while every option is a step): name the whole prefix.
        return invalid("statesync", null, refused);
    }

    private static InvalidConfigurationPropertyValueException invalid(
            String property, @Nullable Object value, IllegalArgumentException cause) {
        // Core's message is the reason; Boot's failure analyzer prints it with the property's name.
        return new InvalidConfigurationPropertyValueException(property, value, cause.getMessage());
    }

    /**
     * The TLS settings, or {@code null} without {@code statesync.tls.enabled}. Each property is
     * checked as it is added, so a refusal names it; passwords are never shown.
     */
    static @Nullable TlsSettings tls(StateSyncProperties.Tls t) {
        if (!t.isEnabled()) {
            return null;
        }
        TlsSettings.Builder builder = TlsSettings.builder();
        try {
            builder.storeType(t.getStoreType());
        } catch (IllegalArgumentException e) {
            throw invalid(PREFIX + "tls.store-type", t.getStoreType(), e);
        }
        builder.hostnameVerification(t.isHostnameVerification());
        String trust = t.getTrustStore();
        if (trust == null || trust.isBlank()) {
            throw new InvalidConfigurationPropertyValueException(
                    PREFIX + "tls.trust-store",
                    trust,
                    "statesync.tls.enabled=true needs a trust store holding the CA of the servers' certificates");
        }
        String trustPassword = t.getTrustStorePassword();
        try {
            builder.trustStore(Path.of(trust), trustPassword == null ? "" : trustPassword);
            builder.build();
        } catch (IllegalArgumentException e) { // an unreadable file, or an invalid path
            throw invalid(PREFIX + "tls.trust-store", trust, e);
        }
        String key = t.getKeyStore();
        String keyPassword = t.getKeyStorePassword();
        if (key == null) {
            if (keyPassword != null) {
                throw new InvalidConfigurationPropertyValueException(
                        PREFIX + "tls.key-store",
                        null,
                        "statesync.tls.key-store-password is set without statesync.tls.key-store");
            }
            return builder.build();
        }
        try {
            builder.keyStore(Path.of(key), keyPassword == null ? "" : keyPassword);
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw invalid(PREFIX + "tls.key-store", key, e);
        }
    }

    private static Retry retry(StateSyncProperties.Retry r) {
        try {
            return Retry.exponentialBackoff(r.getBaseSleep(), r.getMaxSleep(), r.getMaxRetries());
        } catch (IllegalArgumentException refused) {
            // The same attribution: the base sleep alone, then with the max sleep, then the count.
            try {
                Retry.exponentialBackoff(r.getBaseSleep(), r.getBaseSleep(), 0);
            } catch (IllegalArgumentException e) {
                throw invalid(PREFIX + "retry.base-sleep", r.getBaseSleep(), e);
            }
            try {
                Retry.exponentialBackoff(r.getBaseSleep(), r.getMaxSleep(), 0);
            } catch (IllegalArgumentException e) {
                throw invalid(PREFIX + "retry.max-sleep", r.getMaxSleep(), e);
            }
            throw invalid(PREFIX + "retry.max-retries", r.getMaxRetries(), refused);
        }
    }
}
