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

import io.statesync.core.Codec;
import io.statesync.core.Jackson3Codec;
import java.util.Objects;
import org.springframework.core.ParameterizedTypeReference;
import tools.jackson.databind.ObjectMapper;

/** {@link JsonCodecs} on the application's Jackson 3 mapper. */
final class Jackson3JsonCodecs implements JsonCodecs {
    private final ObjectMapper mapper;

    Jackson3JsonCodecs(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public <T> Codec<T> codec(Class<T> type) {
        return Jackson3Codec.of(mapper, type);
    }

    @Override
    public <T> Codec<T> codec(ParameterizedTypeReference<T> type) {
        Objects.requireNonNull(type, "type");
        return Jackson3Codec.of(mapper, mapper.constructType(type.getType()));
    }

    @Override
    public String toString() {
        return "JsonCodecs on the application's Jackson 3 " + mapper.getClass().getSimpleName();
    }
}
