package io.vhdstream.topology.rebuild;

import java.io.IOException;

/** A rebuild cannot produce the requested snapshot (not in the log, disk deleted before it, output not empty). */
public class RebuildException extends IOException {
    private static final long serialVersionUID = 1L;

    public RebuildException(String message) {
        super(message);
    }
}
