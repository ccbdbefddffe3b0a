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

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;

/**
 * JSON through Jackson 3 ({@code tools.jackson}); loaded only by {@link io.statesync.core.Jackson3Codec}.
 * Errors and the refused {@code null} are {@link JsonCodecSupport}'s, shared with Jackson 2. Not API.
 *
 * @param <T> the value type
 */
public final class Jackson3JsonCodec<T> extends JsonCodecSupport<T> {
    private final ObjectReader reader;
    private final ObjectWriter writer;

    /**
     * A codec on a caller's mapper, which decides every feature (modules, unknown properties, dates).
     *
     * @param mapper the mapper
     * @param type the value type, generics included
     * @param description what {@link #toString()} says
     */
    public Jackson3JsonCodec(ObjectMapper mapper, JavaType type, String description) {
        super(JacksonException.class, Objects.requireNonNull(type, "type").toCanonical(), description);
        Objects.requireNonNull(mapper, "mapper");
        this.reader = mapper.readerFor(type);
        this.writer = mapper.writerFor(type);
    }

    @Override
    protected byte[] write(T value) {
        return writer.writeValueAsBytes(value);
    }

    @Override
    protected @Nullable T read(byte[] data) {
        return reader.readValue(data);
    }

    @Override
    protected String encodeFailureMessage(Exception failure) {
        return failure instanceof JacksonException j ? j.getOriginalMessage() : String.valueOf(failure.getMessage());
    }
}
