package io.statesync.recipes.eventlog;

import io.statesync.core.DecodingException;

/**
 * An event in the log did not decode with the log's codec. Names the event's position and the
 * znode that holds it (several events may share one znode); the codec's error is the cause of the
 * {@link DecodingException} that is this exception's cause.
 */
public final class EventDecodingException extends DecodingException {
    private static final long serialVersionUID = 1L;

    private final long position;

    EventDecodingException(String nodePath, long position, DecodingException cause) {
        super(nodePath, -1, cause.size(), cause);
        this.position = position;
    }

    @Override
    public String getMessage() {
        return "event at position " + position + ": " + super.getMessage();
    }

    /**
     * The position of the undecodable event.
     *
     * @return the position
     */
    public long position() {
        return position;
    }
}
