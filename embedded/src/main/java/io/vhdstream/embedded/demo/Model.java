package io.vhdstream.embedded.demo;

import io.vhdstream.schemas.command.CreateDisk;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Snapshot;
import io.vhdstream.schemas.command.Trim;
import io.vhdstream.schemas.command.Write;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The disk as the workload means it, kept in memory: every command applied to a byte array, and the
 * SHA-256 of the whole disk remembered at each snapshot. Everything the pipeline produces is compared
 * with these digests.
 */
public final class Model {
    private byte[] disk;
    private final Map<String, byte[]> digests = new LinkedHashMap<>();

    void apply(DiskCommand c) {
        Object p = c.getPayload();
        if (p instanceof CreateDisk cd) {
            create(cd.getVirtualSize());
        } else if (p instanceof Write w) {
            write(w.getOffset(), w.getData().duplicate());
        } else if (p instanceof Trim t) {
            zero(t.getOffset(), t.getLength());
        } else if (p instanceof Snapshot s) {
            snapshot(s.getSnapshotId());
        }
    }

    public void create(long size) {
        disk = new byte[Math.toIntExact(size)];
    }

    public void write(long offset, ByteBuffer data) {
        data.get(disk, Math.toIntExact(offset), data.remaining());
    }

    /** Trim, WRITE_ZEROES, discard: the range reads as zeros. */
    public void zero(long offset, long length) {
        Arrays.fill(disk, Math.toIntExact(offset), Math.toIntExact(offset + length), (byte) 0);
    }

    public void fill(long offset, long length, byte value) {
        Arrays.fill(disk, Math.toIntExact(offset), Math.toIntExact(offset + length), value);
    }

    public void snapshot(String id) {
        digests.put(id, Digests.sha256().digest(disk));
    }

    /** SHA-256 of the disk as the commands so far left it. */
    byte[] digestNow() {
        return Digests.sha256().digest(disk);
    }

    /** Snapshot id to the SHA-256 of the disk at that snapshot, in snapshot order. */
    Map<String, byte[]> digests() {
        return digests;
    }

    public long size() {
        return disk.length;
    }
}
