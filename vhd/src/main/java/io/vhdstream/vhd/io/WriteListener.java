package io.vhdstream.vhd.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Sees every write to an image file before it happens. Fault-injection tests throw from it to cut a
 * write sequence short at every possible point, as a crash would.
 */
@FunctionalInterface
public interface WriteListener {
    /** @param data the bytes about to be written; do not consume the buffer (use duplicate()). */
    void beforeWrite(long position, ByteBuffer data) throws IOException;
}
