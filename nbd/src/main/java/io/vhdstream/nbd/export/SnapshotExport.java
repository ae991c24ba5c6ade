package io.vhdstream.nbd.export;

import io.vhdstream.vhd.chain.VhdChain;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A sealed snapshot, read-only, read through its layer chain as it lies on disk (nothing is flattened).
 * Sealed layers never change, so several connections see the same bytes: multi-conn is true.
 */
public final class SnapshotExport implements Export {
    private final String name;
    private final VhdChain chain;
    private final Guard watch;

    /** Checked before every read: throws (EIO) once the snapshot no longer reads as it did (a retention merge). */
    interface Guard {
        void check() throws IOException;
    }

    SnapshotExport(String name, VhdChain chain, Guard watch) {
        this.name = name;
        this.chain = chain;
        this.watch = watch;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return chain.virtualSize();
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public boolean multiConn() {
        return true;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        watch.check();
        chain.read(offset, dst);
    }

    @Override
    public void blockStatus(long offset, long length, StatusSink sink) throws IOException {
        watch.check();
        AllocationRuns.report(chain, offset, length, sink);
    }

    @Override
    public void close() throws IOException {
        chain.close();
    }
}
