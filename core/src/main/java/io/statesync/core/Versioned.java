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

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable value as ZooKeeper stored it, with the coordinates that order it: the znode's data
 * version, the zxid of the transaction that created the znode ({@code czxid}) and the zxid of the
 * transaction that last modified it ({@code mzxid}).
 *
 * <p>For one path, {@code mzxid} totally orders the values a listener is shown; {@code czxid} tells
 * a znode that was deleted and re-created apart from the old one (its version restarts at 0, its
 * czxid is higher). A {@code byte[]} value is copied on the way in and on the way out, so a caller
 * can never change a delivered value in place.
 *
 * <p>Thread-safe: immutable.
 *
 * @param <T> the decoded value type
 */
public final class Versioned<T> {
    private final T value;
    private final int version;
    private final long czxid;
    private final long mzxid;

    private Versioned(T value, int version, long czxid, long mzxid) {
        this.value = value;
        this.version = version;
        this.czxid = czxid;
        this.mzxid = mzxid;
    }

    /**
     * Creates a versioned value.
     *
     * @param value the decoded value; a {@code byte[]} is copied
     * @param version the znode's data version ({@code Stat.getVersion()}), at least 0
     * @param czxid the zxid that created the znode
     * @param mzxid the zxid that last modified the znode; at least {@code czxid}
     * @param <T> the value type
     * @return the versioned value
     * @throws IllegalArgumentException if the version is negative or {@code mzxid < czxid}
     */
    public static <T> Versioned<T> of(T value, int version, long czxid, long mzxid) {
        Objects.requireNonNull(value, "value");
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, was " + version);
        }
        if (mzxid < czxid) {
            throw new IllegalArgumentException("mzxid " + mzxid + " is lower than czxid " + czxid);
        }
        return new Versioned<>(copyIfBytes(value), version, czxid, mzxid);
    }

    /**
     * The value. A {@code byte[]} is returned as a fresh copy on every call.
     *
     * @return the decoded value
     */
    public T value() {
        return copyIfBytes(value);
    }

    /**
     * The znode's data version: 0 after creation, one more after every write. It restarts at 0 when
     * the znode is deleted and re-created, so compare {@link #mzxid()} to order values.
     *
     * @return the data version
     */
    public int version() {
        return version;
    }

    /**
     * The zxid of the transaction that created the znode. Strictly higher for a znode re-created
     * after a delete; statesync's locks and elections use it as the fencing token.
     *
     * @return the creation zxid
     */
    public long czxid() {
        return czxid;
    }

    /**
     * The zxid of the transaction that wrote this value. For one path, a later value always has a
     * higher {@code mzxid}.
     *
     * @return the modification zxid
     */
    public long mzxid() {
        return mzxid;
    }

    /**
     * Whether this value was written after {@code other}, by zxid.
     *
     * @param other another value of the same path
     * @return {@code true} if this value's {@code mzxid} is strictly higher
     */
    public boolean isNewerThan(Versioned<?> other) {
        return mzxid > other.mzxid;
    }

    /**
     * A value with the same coordinates and another payload, e.g. a decoded form of raw bytes.
     *
     * @param newValue the new payload
     * @param <U> its type
     * @return a versioned value with this one's version, czxid and mzxid
     */
    public <U> Versioned<U> withValue(U newValue) {
        return of(newValue, version, czxid, mzxid);
    }

    @SuppressWarnings("unchecked")
    private static <T> T copyIfBytes(T value) {
        if (value instanceof byte[] bytes) {
            return (T) bytes.clone();
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Versioned<?> that)) {
            return false;
        }
        return version == that.version
                && czxid == that.czxid
                && mzxid == that.mzxid
                && Objects.deepEquals(value, that.value);
    }

    @Override
    public int hashCode() {
        int valueHash = value instanceof byte[] bytes ? Arrays.hashCode(bytes) : value.hashCode();
        return Objects.hash(valueHash, version, czxid, mzxid);
    }

    @Override
    public String toString() {
        String shown = value instanceof byte[] bytes ? bytes.length + " bytes" : String.valueOf(value);
        return "Versioned{value=" + shown + ", version=" + version + ", czxid=0x" + Long.toHexString(czxid)
                + ", mzxid=0x" + Long.toHexString(mzxid) + '}';
    }
}
