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
import org.jspecify.annotations.Nullable;

/**
 * JSON through Jackson 2; loaded only when a JSON codec is asked for ({@link Codec#json(Class)} or
 * {@link io.statesync.core.JacksonCodec}). Errors and the refused {@code null} are {@link
 * JsonCodecSupport}'s, shared with Jackson 3. Not API.
 *
 * @param <T> the value type
 */
public final class JsonCodec<T> extends JsonCodecSupport<T> {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ObjectReader reader;
    private final ObjectWriter writer;

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
        super(IOException.class, Objects.requireNonNull(type, "type").toCanonical(), description);
        Objects.requireNonNull(mapper, "mapper");
        this.reader = mapper.readerFor(type);
        this.writer = mapper.writerFor(type);
    }

    @Override
    protected byte[] write(T value) throws IOException {
        return writer.writeValueAsBytes(value);
    }

    @Override
    protected @Nullable T read(byte[] data) throws IOException {
        return reader.readValue(data);
    }

    @Override
    protected String encodeFailureMessage(Exception failure) {
        return failure instanceof JsonProcessingException j
                ? j.getOriginalMessage()
                : String.valueOf(failure.getMessage());
    }
}
