package io.vhdstream.topology.disk;

import java.io.IOException;

/**
 * A layer directory is not in a state the topology can have left it in (a file missing, a malformed
 * {@code state} or {@code sealed} file, files that contradict the input log). Never caused by bad input:
 * the processing stops rather than guess. Recovery: remove the disk's directory (or the whole layers
 * directory with its {@code .offsets}) and let the store rebuild it from the input topic.
 */
public class LayerDirectoryException extends IOException {
    private static final long serialVersionUID = 1L;

    public LayerDirectoryException(String message) {
        super(message);
    }

    public LayerDirectoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
