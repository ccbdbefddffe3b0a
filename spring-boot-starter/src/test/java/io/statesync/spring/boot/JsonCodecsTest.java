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

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jackson2.autoconfigure.Jackson2AutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ParameterizedTypeReference;

/**
 * {@link JsonCodecs} in application contexts: on the application's Jackson 3 {@code JsonMapper}
 * when it has one, else on its Jackson 2 {@code ObjectMapper}, else absent; the application's
 * mapper configuration ({@code spring.jackson.*}) holds for a record with an {@code Instant} and a
 * {@code List} of records.
 */
@Timeout(60)
class JsonCodecsTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    record Line(String sku, int quantity) {}

    record Invoice(String id, Instant issuedAt, List<Line> lines) {}

    private static final Invoice INVOICE = new Invoice(
            "inv-1", Instant.parse("2026-12-03T10:15:30Z"), List.of(new Line("a-1", 2), new Line("b-2", 1)));

    @SuppressWarnings("deprecation") // Boot 4 deprecates its Jackson 2 support; applications still have it
    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        JacksonAutoConfiguration.class,
                        Jackson2AutoConfiguration.class,
                        StateSyncAutoConfiguration.class))
                .withPropertyValues(
                        "statesync.connect-string=" + zk.connectString(),
                        "statesync.namespace=" + zk.namespace(),
                        // The application's JSON settings, for Jackson 3 and for Jackson 2:
                        "spring.jackson.property-naming-strategy=SNAKE_CASE",
                        "spring.jackson2.property-naming-strategy=SNAKE_CASE",
                        "spring.jackson2.serialization.write-dates-as-timestamps=false");
    }

    /** Encodes an invoice and a list of them and decodes them back; returns the invoice's JSON. */
    private static String roundTrip(JsonCodecs codecs) {
        Codec<Invoice> one = codecs.codec(Invoice.class);
        byte[] json = one.encode(INVOICE);
        assertThat(one.decode(json)).isEqualTo(INVOICE);

        Codec<List<Invoice>> many = codecs.codec(new ParameterizedTypeReference<List<Invoice>>() {});
        List<Invoice> invoices = List.of(INVOICE, new Invoice("inv-2", Instant.EPOCH, List.of()));
        List<Invoice> decoded = many.decode(many.encode(invoices));
        assertThat(decoded).containsExactlyElementsOf(invoices);
        assertThat(decoded.get(0)).as("elements are records, not maps").isInstanceOf(Invoice.class);
        assertThat(decoded.get(0).lines().get(0)).isInstanceOf(Line.class);
        return new String(json, UTF_8);
    }

    @Test
    void onTheApplicationsJackson3JsonMapperWhenItHasOne() {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            JsonCodecs codecs = context.getBean(JsonCodecs.class);
            assertThat(codecs.toString()).contains("Jackson 3");
            assertThat(codecs.codec(Invoice.class).toString()).startsWith("Jackson3Codec.of(");
            assertThat(roundTrip(codecs))
                    .as("the application's spring.jackson.* settings hold")
                    .contains("\"issued_at\":\"2026-12-03T10:15:30Z\"");
        });
    }

    @Test
    void onTheApplicationsJackson2ObjectMapperWithoutJackson3() {
        runner().withClassLoader(new FilteredClassLoader("tools.jackson")).run(context -> {
            assertThat(context).hasNotFailed();
            JsonCodecs codecs = context.getBean(JsonCodecs.class);
            assertThat(codecs.toString()).contains("Jackson 2");
            assertThat(codecs.codec(Invoice.class).toString()).startsWith("JacksonCodec.of(");
            assertThat(roundTrip(codecs))
                    .as("the application's spring.jackson2.* settings hold")
                    .contains("\"issued_at\":\"2026-12-03T10:15:30Z\"");
        });
    }

    @Test
    void withoutEitherJacksonThereIsNoBeanAndTheCoordinatorIsThere() {
        runner().withClassLoader(new FilteredClassLoader("tools.jackson", "com.fasterxml.jackson.databind"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(JsonCodecs.class);
                    assertThat(context).hasSingleBean(Coordinator.class);
                });
    }

    @Test
    void withJacksonOnTheClassPathButNoMapperBeanThereIsNoBean() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(StateSyncAutoConfiguration.class))
                .withPropertyValues(
                        "statesync.connect-string=" + zk.connectString(), "statesync.namespace=" + zk.namespace())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(JsonCodecs.class);
                });
    }

    @Test
    void anApplicationsOwnJsonCodecsBeanWins() {
        runner().withUserConfiguration(OwnCodecs.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(JsonCodecs.class);
            assertThat(context.getBean(JsonCodecs.class)).isSameAs(OwnCodecs.CODECS);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnCodecs {
        static final JsonCodecs CODECS = new Jackson3JsonCodecs(tools.jackson.databind.json.JsonMapper.shared());

        @Bean
        JsonCodecs myCodecs() {
            return CODECS;
        }
    }
}
