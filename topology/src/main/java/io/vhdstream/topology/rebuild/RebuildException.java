package io.vhdstream.topology.rebuild;

import java.io.IOException;

/**
 * A rebuild cannot produce the requested point (not in the log, outside the retained window, disk deleted
 * before it, output not empty). {@link #code()} is the error code the command line prints.
 */
public class RebuildException extends IOException {
    private static final long serialVersionUID = 1L;
    /** The snapshot or disk is not in the log (or not at that point). */
    public static final String NOT_FOUND = "NOT_FOUND";
    /** The point is outside what can be rebuilt: before the retained window, or after the log's end. */
    public static final String OUT_OF_RANGE = "OUT_OF_RANGE";
    /** Anything else (output not empty, disk deleted, timeout). */
    public static final String REBUILD_FAILED = "REBUILD_FAILED";

    private final String code;

    public RebuildException(String message) {
        this(REBUILD_FAILED, message);
    }

    public RebuildException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
