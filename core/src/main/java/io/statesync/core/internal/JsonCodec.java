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
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statesync.core.Codec;
import java.io.IOException;

/** JSON through Jackson; loaded only when {@link Codec#json(Class)} is called. */
final class JsonCodec<T> implements Codec<T> {
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Class<T> type;

    JsonCodec(Class<T> type) {
        this.type = type;
    }

    @Override
    public byte[] encode(T value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot encode " + type.getName() + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public T decode(byte[] data) {
        T value;
        try {
            value = MAPPER.readValue(data, type);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON for " + type.getName() + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new IllegalArgumentException("JSON null is not a " + type.getName());
        }
        return value;
    }

    @Override
    public String toString() {
        return "Codec.json(" + type.getName() + ")";
    }
}
