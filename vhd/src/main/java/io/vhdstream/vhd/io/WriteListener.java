package io.vhdstream.vhd.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Sees every write to an image file before it happens, and every fsync after it returned. Fault-injection
 * tests throw from it to cut a write sequence short at every possible point, as a crash would; the power-loss
 * tests record both to replay what a disk may have kept (docs/crash-safety.md).
 */
@FunctionalInterface
public interface WriteListener {
    /** @param data the bytes about to be written; do not consume the buffer (use duplicate()). */
    void beforeWrite(long position, ByteBuffer data) throws IOException;

    /** The file's writes so far are on the disk (an fsync returned). */
    default void synced() throws IOException {
    }
}
