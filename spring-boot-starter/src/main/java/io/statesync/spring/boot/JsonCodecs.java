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
import org.springframework.core.ParameterizedTypeReference;

/**
 * Codecs for statesync values on the application's own JSON mapper, so that what the application
 * configured for its JSON ({@code spring.jackson.*}, its modules and {@code JsonMapperBuilderCustomizer}s)
 * holds for statesync's values too: {@code java.time} types, naming, dates, unknown properties.
 *
 * <pre>{@code
 * SharedState<FeatureFlags> flags =
 *         SharedState.builder(coordinator, "/flags", codecs.codec(FeatureFlags.class), FeatureFlags.NONE).build();
 * Codec<List<Order>> orders = codecs.codec(new ParameterizedTypeReference<List<Order>>() {});
 * }</pre>
 *
 * <p>The starter declares this bean on the application's Jackson 3 {@code JsonMapper} (Spring Boot
 * 4's default; {@link io.statesync.core.Jackson3Codec}) when there is one, else on its Jackson 2
 * {@code ObjectMapper} ({@link io.statesync.core.JacksonCodec}); with neither, there is no bean.
 * Generic types are given as Spring's {@link ParameterizedTypeReference}, which works with either
 * Jackson. The codecs report bad data as every codec does: a recipe turns a decoding failure into a
 * {@link io.statesync.core.DecodingException} naming the path, the version, the size and the first
 * bytes in hex.
 *
 * <p>Thread-safe, as are the codecs it makes.
 */
public interface JsonCodecs {
    /**
     * A JSON codec for a class.
     *
     * @param type the value class
     * @param <T> the value type
     * @return the codec, on the application's mapper
     * @throws NullPointerException if {@code type} is null
     */
    <T> Codec<T> codec(Class<T> type);

    /**
     * A JSON codec for a generic type, e.g. {@code new ParameterizedTypeReference<List<Order>>()
     * {}}.
     *
     * @param type the value type
     * @param <T> the value type
     * @return the codec, on the application's mapper
     * @throws NullPointerException if {@code type} is null
     */
    <T> Codec<T> codec(ParameterizedTypeReference<T> type);
}
