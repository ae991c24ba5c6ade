package io.vhdstream.nbd.export;

import io.vhdstream.nbd.protocol.Nbd;
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

    public SnapshotExport(String name, VhdChain chain) {
        this.name = name;
        this.chain = chain;
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
        chain.read(offset, dst);
    }

    @Override
    public void blockStatus(long offset, long length, StatusSink sink) throws IOException {
        long[] runLen = {0};
        int[] runFlags = {-1};
        boolean[] stopped = {false};
        chain.resolve(offset, length, (o, len, layer, fileOff) -> {
            if (stopped[0]) {
                return;
            }
            int flags = layer < 0 ? Nbd.STATE_HOLE | Nbd.STATE_ZERO : 0;
            if (flags == runFlags[0]) {
                runLen[0] += len;
                return;
            }
            if (runLen[0] > 0 && !sink.run(runLen[0], runFlags[0])) {
                stopped[0] = true;
                return;
            }
            runLen[0] = len;
            runFlags[0] = flags;
        });
        if (!stopped[0] && runLen[0] > 0) {
            sink.run(runLen[0], runFlags[0]);
        }
    }

    @Override
    public void close() throws IOException {
        chain.close();
    }
}
