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
package io.statesync.core.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.statesync.core.Codec;
import java.io.IOException;
import java.util.Objects;

/**
 * JSON through Jackson 2; loaded only when a JSON codec is asked for ({@link Codec#json(Class)} or
 * {@link io.statesync.core.JacksonCodec}). Not API.
 *
 * @param <T> the value type
 */
public final class JsonCodec<T> implements Codec<T> {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ObjectReader reader;
    private final ObjectWriter writer;
    private final String typeName;
    private final String description;

    /**
     * The codec of {@link Codec#json(Class)}: statesync's own mapper, unknown properties ignored.
     *
     * @param type the value class
     */
    JsonCodec(Class<T> type) {
        this(MAPPER, MAPPER.constructType(type), "Codec.json(" + type.getName() + ")");
    }

    /**
     * A codec on a caller's mapper, which decides every feature (modules, unknown properties, dates).
     *
     * @param mapper the mapper
     * @param type the value type, generics included
     * @param description what {@link #toString()} says
     */
    public JsonCodec(ObjectMapper mapper, JavaType type, String description) {
        Objects.requireNonNull(mapper, "mapper");
        Objects.requireNonNull(type, "type");
        this.reader = mapper.readerFor(type);
        this.writer = mapper.writerFor(type);
        this.typeName = type.toCanonical();
        this.description = description;
    }

    @Override
    public byte[] encode(T value) {
        try {
            return writer.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + typeName + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public T decode(byte[] data) {
        T value;
        try {
            value = reader.readValue(data);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON for " + typeName + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new IllegalArgumentException("JSON null is not a " + typeName);
        }
        return value;
    }

    @Override
    public String toString() {
        return description;
    }
}
