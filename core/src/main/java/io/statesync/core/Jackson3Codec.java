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

import io.statesync.core.internal.Jackson3JsonCodec;
import java.util.Objects;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;

/**
 * JSON codecs on the application's own Jackson 3 mapper ({@code tools.jackson.databind.ObjectMapper},
 * usually the {@code JsonMapper} Spring Boot 4 configures), so that what the application configured
 * holds for statesync's values too: its modules, naming, date format and whether unknown properties
 * fail. Generic value types ({@code List<Order>}, {@code Map<String, Price>}) are given as a {@link
 * TypeReference} or a {@link JavaType}. The Jackson 3 counterpart of {@link JacksonCodec}, with the
 * same behaviour: the same error messages, and a decoding failure reported by recipes as a {@link
 * DecodingException} naming the path, the version, the size and the first bytes in hex.
 *
 * <pre>{@code
 * Codec<List<Order>> orders = Jackson3Codec.of(jsonMapper, new TypeReference<List<Order>>() {});
 * }</pre>
 *
 * <p>Jackson 3 handles {@code java.time} types without a module. These codecs leave every feature
 * to the given mapper: keep unknown properties ignored on it ({@code FAIL_ON_UNKNOWN_PROPERTIES}
 * off, as it is by default in Jackson 3) if nodes of two releases share a value during a rolling
 * upgrade.
 * The JSON literal {@code null} is rejected on decode, as by every codec. Jackson 3 mappers are
 * immutable, so the codec sees the mapper as it was built.
 *
 * <p>This class needs {@code tools.jackson.core:jackson-databind} 3.x (an optional dependency of
 * statesync-core); it does not need Jackson 2, and {@link JacksonCodec} does not need Jackson 3.
 */
public final class Jackson3Codec {
    private Jackson3Codec() {}

    /**
     * A JSON codec for a class, on the given mapper.
     *
     * @param mapper the application's mapper
     * @param type the value class
     * @param <T> the value type
     * @return the codec
     * @throws NullPointerException if an argument is null
     */
    public static <T> Codec<T> of(ObjectMapper mapper, Class<T> type) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(type, "type");
        return new Jackson3JsonCodec<>(mapper, mapper.constructType(type), "Jackson3Codec.of(" + type.getName() + ")");
    }

    /**
     * A JSON codec for a generic type, on the given mapper.
     *
     * @param mapper the application's mapper
     * @param type the value type, e.g. {@code new TypeReference<List<Order>>() {}}
     * @param <T> the value type
     * @return the codec
     * @throws NullPointerException if an argument is null
     */
    public static <T> Codec<T> of(ObjectMapper mapper, TypeReference<T> type) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(type, "type");
        JavaType javaType = mapper.constructType(type);
        return new Jackson3JsonCodec<>(mapper, javaType, "Jackson3Codec.of(" + javaType.toCanonical() + ")");
    }

    /**
     * A JSON codec for a type built by the mapper's type factory. The caller vouches that {@code
     * T} is the type {@code type} describes.
     *
     * @param mapper the application's mapper
     * @param type the value type, e.g. {@code mapper.getTypeFactory().constructCollectionType(List.class,
     *     Order.class)}
     * @param <T> the value type
     * @return the codec
     * @throws NullPointerException if an argument is null
     */
    public static <T> Codec<T> of(ObjectMapper mapper, JavaType type) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(type, "type");
        return new Jackson3JsonCodec<>(mapper, type, "Jackson3Codec.of(" + type.toCanonical() + ")");
    }
}
