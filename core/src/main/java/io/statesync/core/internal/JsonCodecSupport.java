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

import io.statesync.core.Codec;
import org.jspecify.annotations.Nullable;

/**
 * What every JSON codec does the same way, whichever Jackson it runs on: the messages of an encode
 * or decode failure (naming the value type), and refusing the JSON literal {@code null}. A decode
 * failure becomes, in the recipe, a {@link io.statesync.core.DecodingException} naming the path, the
 * version, the size and a hex prefix ({@link Codecs#decode}). Names no Jackson type, so that it loads
 * without either Jackson. Not API.
 *
 * @param <T> the value type
 */
public abstract class JsonCodecSupport<T> implements Codec<T> {
    private final Class<? extends Exception> failureType;
    private final String typeName;
    private final String description;

    /**
     * Creates the codec.
     *
     * @param failureType what the mapper throws when it cannot write or read a value; anything else
     *     (a bug in a serializer, say) is thrown as it is
     * @param typeName the value type as error messages name it, generics included
     * @param description what {@link #toString()} says
     */
    protected JsonCodecSupport(Class<? extends Exception> failureType, String typeName, String description) {
        this.failureType = failureType;
        this.typeName = typeName;
        this.description = description;
    }

    /**
     * Writes the value as JSON.
     *
     * @param value the value
     * @return the JSON bytes
     * @throws Exception a failure of the mapper (of the failure type), turned into an {@link
     *     IllegalArgumentException}
     */
    protected abstract byte[] write(T value) throws Exception;

    /**
     * Reads JSON into a value.
     *
     * @param data the JSON bytes
     * @return the value, or {@code null} for the JSON literal {@code null}
     * @throws Exception a failure of the mapper (of the failure type), turned into an {@link
     *     IllegalArgumentException}
     */
    protected abstract @Nullable T read(byte[] data) throws Exception;

    /**
     * The mapper's own message of a failure, without the location suffix where the mapper has one.
     *
     * @param failure what {@link #write} threw
     * @return the message
     */
    protected abstract String encodeFailureMessage(Exception failure);

    @Override
    public final byte[] encode(T value) {
        try {
            return write(value);
        } catch (Exception e) {
            rethrowUnlessMapperFailure(e);
            throw new IllegalArgumentException("cannot encode " + typeName + " as JSON: " + encodeFailureMessage(e), e);
        }
    }

    @Override
    public final T decode(byte[] data) {
        T value;
        try {
            value = read(data);
        } catch (Exception e) {
            rethrowUnlessMapperFailure(e);
            throw new IllegalArgumentException("not valid JSON for " + typeName + ": " + e.getMessage(), e);
        }
        if (value == null) {
            throw new IllegalArgumentException("JSON null is not a " + typeName);
        }
        return value;
    }

    private void rethrowUnlessMapperFailure(Exception e) {
        if (!failureType.isInstance(e)) {
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            // A checked exception other than the mapper's cannot come from write or read as written.
            throw new IllegalStateException(e);
        }
    }

    @Override
    public final String toString() {
        return description;
    }
}
