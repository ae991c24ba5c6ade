package io.vhdstream.nbd.export;

import io.vhdstream.nbd.journal.JournaledDisk;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One connection's view of a read-write disk: every operation goes to the shared {@link JournaledDisk}, so
 * a flush on any connection covers the writes of all (multi-conn is true).
 */
public final class DiskExport implements Export {
    private final JournaledDisk disk;

    public DiskExport(JournaledDisk disk) {
        this.disk = disk;
    }

    @Override
    public String name() {
        return disk.diskId();
    }

    @Override
    public long size() {
        return disk.size();
    }

    @Override
    public boolean readOnly() {
        return false;
    }

    @Override
    public boolean multiConn() {
        return true;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        disk.read(offset, dst);
    }

    @Override
    public void blockStatus(long offset, long length, StatusSink sink) throws IOException {
        disk.blockStatus(offset, length, sink);
    }

    @Override
    public void write(long offset, ByteBuffer data, boolean fua) throws IOException {
        disk.write(offset, data, fua);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua) throws IOException {
        disk.zero(offset, length, fua);
    }

    @Override
    public void trim(long offset, long length, boolean fua) throws IOException {
        disk.zero(offset, length, fua);
    }

    @Override
    public void flush() throws IOException {
        disk.flush();
    }

    @Override
    public void close() {
        // the disk outlives its connections
    }
}
