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

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link JacksonCodec}: the application's mapper decides, generic types work, null is refused. */
class JacksonCodecTest {
    record Order(String id, Instant placed) {}

    private static ObjectMapper applicationMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    @Test
    void aRecordWithAnInstantRoundTripsOnTheApplicationsMapper() {
        Order order = new Order("o-1", Instant.parse("2026-12-03T10:15:30Z"));
        Codec<Order> codec = JacksonCodec.of(applicationMapper(), Order.class);
        byte[] json = codec.encode(order);
        assertThat(new String(json, UTF_8)).contains("\"2026-12-03T10:15:30Z\"");
        assertThat(codec.decode(json)).isEqualTo(order);

        assertThatThrownBy(() -> Codec.json(Order.class).encode(order))
                .as("statesync's own mapper has no java.time module: why the application's mapper matters")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Order.class.getName());
    }

    @Test
    void aGenericListRoundTripsThroughATypeReferenceAndAJavaType() {
        ObjectMapper mapper = applicationMapper();
        List<Order> orders = List.of(new Order("a", Instant.EPOCH), new Order("b", Instant.EPOCH.plusSeconds(1)));
        Codec<List<Order>> byReference = JacksonCodec.of(mapper, new TypeReference<List<Order>>() {});
        List<Order> decoded = byReference.decode(byReference.encode(orders));
        assertThat(decoded).containsExactlyElementsOf(orders);
        assertThat(decoded.get(0)).as("elements are records, not maps").isInstanceOf(Order.class);

        JavaType type = mapper.getTypeFactory().constructMapType(Map.class, String.class, Order.class);
        Codec<Map<String, Order>> byType = JacksonCodec.of(mapper, type);
        Map<String, Order> map = Map.of("a", orders.get(0));
        assertThat(byType.decode(byType.encode(map))).isEqualTo(map);
        assertThat(byType.toString()).contains("java.util.Map<java.lang.String," + Order.class.getName());
    }

    @Test
    void theMapperDecidesAboutUnknownPropertiesAndNullIsRefused() {
        byte[] newer = "{\"id\":\"o-1\",\"placed\":\"2026-12-03T10:15:30Z\",\"channel\":\"web\"}".getBytes(UTF_8);
        assertThat(JacksonCodec.of(applicationMapper(), Order.class)
                        .decode(newer)
                        .id())
                .isEqualTo("o-1");
        ObjectMapper strict = new ObjectMapper().registerModule(new JavaTimeModule());
        assertThatThrownBy(() -> JacksonCodec.of(strict, Order.class).decode(newer))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channel");
        assertThatThrownBy(
                        () -> JacksonCodec.of(applicationMapper(), Order.class).decode("null".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JSON null");
    }

    @Test
    void codecNamesNoJacksonTypeSoReflectionOnItNeedsNoJackson() {
        for (var m : Codec.class.getDeclaredMethods()) {
            assertThat(m.getParameterTypes())
                    .as(m.toString())
                    .noneMatch(t -> t.getName().startsWith("com.fasterxml"));
        }
    }
}
