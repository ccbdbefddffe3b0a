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

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The starter's configuration metadata, from which IDEs complete {@code statesync.*}, covers every property. */
class ConfigurationMetadataTest {
    private static final List<String> PROPERTIES = List.of(
            "statesync.enabled",
            "statesync.connect-string",
            "statesync.namespace",
            "statesync.session-timeout",
            "statesync.connection-timeout",
            "statesync.operation-timeout",
            "statesync.health-down-after",
            "statesync.retry.base-sleep",
            "statesync.retry.max-sleep",
            "statesync.retry.max-retries",
            "statesync.acl-mode",
            "statesync.digest.user",
            "statesync.digest.password",
            "statesync.max-value-bytes",
            "statesync.connection-loss-policy",
            "statesync.tls.enabled",
            "statesync.tls.trust-store",
            "statesync.tls.trust-store-password",
            "statesync.tls.key-store",
            "statesync.tls.key-store-password",
            "statesync.tls.store-type",
            "statesync.tls.hostname-verification",
            "statesync.health.readiness",
            "statesync.leader-only.base-path",
            "statesync.leader-only.stop-timeout",
            "statesync.leader-only.suspend-grace",
            "statesync.leader-only.takeover-delay");

    private static JsonNode metadata() throws IOException {
        try (InputStream in = Objects.requireNonNull(
                ConfigurationMetadataTest.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json"),
                "META-INF/spring-configuration-metadata.json")) {
            return JsonMapper.shared().readTree(in);
        }
    }

    @Test
    void everyPropertyHasADescriptionAndNoOtherIsThere() throws IOException {
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode property : metadata().get("properties")) {
            byName.put(property.get("name").asString(), property);
        }
        assertThat(byName.keySet()).containsExactlyInAnyOrderElementsOf(PROPERTIES);
        for (String name : PROPERTIES) {
            JsonNode description = Objects.requireNonNull(byName.get(name)).get("description");
            assertThat(description).as("the description of %s", name).isNotNull();
            assertThat(description.asString()).as(name).isNotBlank();
        }
        assertThat(Objects.requireNonNull(byName.get("statesync.connection-loss-policy"))
                        .get("defaultValue")
                        .asString())
                .isEqualTo("on-suspended");
    }

    @Test
    void theStoreTypeHasItsTwoValuesAsHints() throws IOException {
        JsonNode hint = null;
        for (JsonNode h : metadata().get("hints")) {
            if (h.get("name").asString().equals("statesync.tls.store-type")) {
                hint = h;
            }
        }
        assertThat(hint).isNotNull();
        assertThat(Objects.requireNonNull(hint).get("values").findValuesAsString("value"))
                .containsExactly("PKCS12", "JKS");
    }
}
