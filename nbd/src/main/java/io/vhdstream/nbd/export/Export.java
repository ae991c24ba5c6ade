package io.vhdstream.nbd.export;

import io.vhdstream.nbd.protocol.Nbd;
import io.vhdstream.nbd.protocol.NbdError;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What one connection reads and writes: an export as the transmission phase sees it. Ranges are checked by
 * the caller (within {@link #size()}, aligned to {@link #minBlock()}); an {@link NbdError} becomes that error
 * reply, any other IOException EIO.
 */
public interface Export extends Closeable {
    String name();

    long size();

    boolean readOnly();

    /** True when a flush on any connection makes the writes every connection completed durable (NBD_FLAG_CAN_MULTI_CONN). */
    boolean multiConn();

    /** Smallest request size and alignment the export accepts. */
    default int minBlock() {
        return 512;
    }

    void read(long offset, ByteBuffer dst) throws IOException;

    /** Receives the allocation runs of a range, in order; returns false to stop early. */
    @FunctionalInterface
    interface StatusSink {
        boolean run(long length, int flags) throws IOException;
    }

    /** base:allocation of [offset, offset+length): {@link Nbd#STATE_HOLE}|{@link Nbd#STATE_ZERO} for holes, 0 for data. */
    void blockStatus(long offset, long length, StatusSink sink) throws IOException;

    default void write(long offset, ByteBuffer data, boolean fua) throws IOException {
        throw readOnlyError();
    }

    default void writeZeroes(long offset, long length, boolean fua) throws IOException {
        throw readOnlyError();
    }

    default void trim(long offset, long length, boolean fua) throws IOException {
        throw readOnlyError();
    }

    default void flush() throws IOException {
    }

    private NbdError readOnlyError() {
        return new NbdError(Nbd.EPERM, "export '" + name() + "' is read-only");
    }
}
