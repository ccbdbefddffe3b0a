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

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statesync.core.internal.JsonCodec;
import java.util.Objects;

/**
 * JSON codecs on the application's own Jackson 2 {@link ObjectMapper}, so that what the
 * application configured holds for statesync's values too: its modules (for example {@code
 * java.time} types such as {@code Instant}), naming, and whether unknown properties fail. Generic
 * value types ({@code List<Order>}, {@code Map<String, Price>}) are given as a {@link TypeReference}
 * or a {@link JavaType}.
 *
 * <pre>{@code
 * Codec<List<Order>> orders = JacksonCodec.of(objectMapper, new TypeReference<List<Order>>() {});
 * }</pre>
 *
 * <p>Unlike {@link Codec#json(Class)}, which uses statesync's own mapper and ignores unknown
 * properties, these codecs leave every feature to the given mapper: keep unknown properties
 * ignored on it ({@code FAIL_ON_UNKNOWN_PROPERTIES} off) if nodes of two releases share a value
 * during a rolling upgrade. The JSON literal {@code null} is rejected on decode, as by every codec.
 * The mapper must not be reconfigured after the codec is made.
 *
 * <p>These factories live here rather than on {@link Codec} so that {@code Codec} names no Jackson
 * type: code that inspects {@code Codec} by reflection works without Jackson on the class path. This
 * class needs {@code com.fasterxml.jackson.core:jackson-databind} (an optional dependency of
 * statesync-core).
 */
public final class JacksonCodec {
    private JacksonCodec() {}

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
        return new JsonCodec<>(mapper, mapper.constructType(type), "JacksonCodec.of(" + type.getName() + ")");
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
        return new JsonCodec<>(mapper, javaType, "JacksonCodec.of(" + javaType.toCanonical() + ")");
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
        return new JsonCodec<>(mapper, type, "JacksonCodec.of(" + type.toCanonical() + ")");
    }
}
