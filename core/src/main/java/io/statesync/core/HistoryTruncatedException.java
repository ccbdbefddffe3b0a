package io.statesync.core;

/**
 * A read or subscription asked for history that was compacted away. Carries the earliest position
 * that is still retained, so the caller can restart from a snapshot and resume there.
 */
public class HistoryTruncatedException extends StateSyncException {
    private static final long serialVersionUID = 1L;

    private final long requested;
    private final long earliest;

    /**
     * Creates the exception.
     *
     * @param path the log's path
     * @param requested the position asked for
     * @param earliest the earliest position still retained
     */
    public HistoryTruncatedException(String path, long requested, long earliest) {
        super(
                Reason.HISTORY_TRUNCATED,
                path,
                "position " + requested + " of " + path + " was compacted away; the earliest retained position is "
                        + earliest,
                null);
        this.requested = requested;
        this.earliest = earliest;
    }

    /**
     * The position that was asked for.
     *
     * @return the requested position
     */
    public long requested() {
        return requested;
    }

    /**
     * The earliest position still retained.
     *
     * @return the earliest position
     */
    public long earliest() {
        return earliest;
    }
}
