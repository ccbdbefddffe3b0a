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

import io.statesync.core.internal.Codecs;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;

/** {@link Jackson3Codec}: the application's Jackson 3 mapper decides, generic types work, errors as with Jackson 2. */
class Jackson3CodecTest {
    record Order(String id, Instant placedAt) {}

    /** An application's mapper: snake_case names, ISO dates, unknown properties ignored. */
    private static JsonMapper applicationMapper() {
        return JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    @Test
    void aRecordWithAnInstantRoundTripsOnTheApplicationsMapper() {
        Order order = new Order("o-1", Instant.parse("2026-12-03T10:15:30Z"));
        Codec<Order> codec = Jackson3Codec.of(applicationMapper(), Order.class);
        byte[] json = codec.encode(order);
        assertThat(new String(json, UTF_8))
                .as("the application's naming and date format hold")
                .contains("\"placed_at\":\"2026-12-03T10:15:30Z\"");
        assertThat(codec.decode(json)).isEqualTo(order);
        assertThat(codec.toString()).isEqualTo("Jackson3Codec.of(" + Order.class.getName() + ")");
    }

    @Test
    void aGenericListRoundTripsThroughATypeReferenceAndAJavaType() {
        JsonMapper mapper = applicationMapper();
        List<Order> orders = List.of(new Order("a", Instant.EPOCH), new Order("b", Instant.EPOCH.plusSeconds(1)));
        Codec<List<Order>> byReference = Jackson3Codec.of(mapper, new TypeReference<List<Order>>() {});
        List<Order> decoded = byReference.decode(byReference.encode(orders));
        assertThat(decoded).containsExactlyElementsOf(orders);
        assertThat(decoded.get(0)).as("elements are records, not maps").isInstanceOf(Order.class);

        JavaType type = mapper.getTypeFactory().constructMapType(Map.class, String.class, Order.class);
        Codec<Map<String, Order>> byType = Jackson3Codec.of(mapper, type);
        Map<String, Order> map = Map.of("a", orders.get(0));
        assertThat(byType.decode(byType.encode(map))).isEqualTo(map);
        assertThat(byType.toString()).contains("java.util.Map<java.lang.String," + Order.class.getName());
    }

    @Test
    void theMapperDecidesAboutUnknownPropertiesAndNullIsRefused() {
        byte[] newer = "{\"id\":\"o-1\",\"placed_at\":\"2026-12-03T10:15:30Z\",\"channel\":\"web\"}".getBytes(UTF_8);
        assertThat(Jackson3Codec.of(applicationMapper(), Order.class)
                        .decode(newer)
                        .id())
                .isEqualTo("o-1");
        JsonMapper strict = JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        assertThatThrownBy(() -> Jackson3Codec.of(strict, Order.class).decode(newer))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not valid JSON for " + Order.class.getName())
                .hasMessageContaining("channel");
        assertThatThrownBy(
                        () -> Jackson3Codec.of(applicationMapper(), Order.class).decode("null".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("JSON null is not a " + Order.class.getName());
    }

    @Test
    void aValueTheMapperCannotWriteFailsNamingTheType() {
        JsonMapper failingOnEmptyBeans = applicationMapper()
                .rebuild()
                .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
        Codec<Object> codec = Jackson3Codec.of(failingOnEmptyBeans, Object.class);
        assertThatThrownBy(() -> codec.encode(new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot encode java.lang.Object as JSON: ");
    }

    @Test
    void undecodableDataIsADecodingExceptionNamingPathVersionSizeAndAHexPrefixAsWithJackson2() {
        byte[] bad = "{\"id\": oops, \"placed_at\": 1}".getBytes(UTF_8);
        Codec<Order> jackson3 = Jackson3Codec.of(applicationMapper(), Order.class);
        Codec<Order> jackson2 = JacksonCodec.of(new com.fasterxml.jackson.databind.ObjectMapper(), Order.class);
        for (Codec<Order> codec : List.of(jackson3, jackson2)) {
            assertThatThrownBy(() -> Codecs.decode(codec, "/cfg", 7, bad))
                    .as(codec.toString())
                    .isInstanceOf(DecodingException.class)
                    .hasMessageStartingWith(
                            "data at /cfg version 7 (" + bad.length + " bytes: 7b226964223a206f6f70732c2022706c...)"
                                    + " does not decode: not valid JSON for " + Order.class.getName() + ": ")
                    .satisfies(e -> assertThat(((DecodingException) e).size()).isEqualTo(bad.length));
        }
        assertThatThrownBy(() -> Codecs.decode(jackson3, "/cfg", 8, "null".getBytes(UTF_8)))
                .isInstanceOf(DecodingException.class)
                .hasMessage("data at /cfg version 8 (4 bytes: 6e756c6c) does not decode: JSON null is not a "
                        + Order.class.getName());
    }

    @Test
    void codecNamesNoJacksonTypeSoReflectionOnItNeedsNoJackson() {
        for (var m : Codec.class.getDeclaredMethods()) {
            assertThat(m.getParameterTypes())
                    .as(m.toString())
                    .noneMatch(t -> t.getName().startsWith("tools.jackson"));
        }
    }
}
