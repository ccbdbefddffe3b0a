package io.statesync.core;

import org.jspecify.annotations.Nullable;

/**
 * Stored data did not decode with the recipe's {@link Codec}. Names the path, the znode version and
 * the size of the data; the codec's own error is the cause. Recipes report it through {@link
 * StateListener#onError(StateSyncException)} and go on delivering later, valid versions.
 */
public class DecodingException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    private final int version;
    private final int size;

    /**
     * Creates the exception.
     *
     * @param path the path whose data did not decode
     * @param version the znode version of that data, or -1 if unknown
     * @param size the size of the data in bytes
     * @param cause the codec's error
     */
    public DecodingException(String path, int version, int size, @Nullable Throwable cause) {
        super(
                Reason.DECODING_FAILED,
                path,
                "data at " + path + (version >= 0 ? " version " + version : "") + " (" + size
                        + " bytes) does not decode" + (cause == null ? "" : ": " + cause.getMessage()),
                cause);
        this.version = version;
        this.size = size;
    }

    /**
     * The znode version of the undecodable data.
     *
     * @return the version, or -1 if unknown
     */
    public int version() {
        return version;
    }

    /**
     * The size of the undecodable data.
     *
     * @return bytes
     */
    public int size() {
        return size;
    }
}
