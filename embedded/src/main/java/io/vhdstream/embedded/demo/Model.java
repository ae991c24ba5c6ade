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
final class Model {
    private byte[] disk;
    private final Map<String, byte[]> digests = new LinkedHashMap<>();

    void apply(DiskCommand c) {
        Object p = c.getPayload();
        if (p instanceof CreateDisk cd) {
            disk = new byte[Math.toIntExact(cd.getVirtualSize())];
        } else if (p instanceof Write w) {
            ByteBuffer data = w.getData().duplicate();
            data.get(disk, Math.toIntExact(w.getOffset()), data.remaining());
        } else if (p instanceof Trim t) {
            Arrays.fill(disk, Math.toIntExact(t.getOffset()), Math.toIntExact(t.getOffset() + t.getLength()), (byte) 0);
        } else if (p instanceof Snapshot s) {
            digests.put(s.getSnapshotId(), Demo.sha256().digest(disk));
        }
    }

    /** SHA-256 of the disk as the commands so far left it. */
    byte[] digestNow() {
        return Demo.sha256().digest(disk);
    }

    /** Snapshot id to the SHA-256 of the disk at that snapshot, in snapshot order. */
    Map<String, byte[]> digests() {
        return digests;
    }

    long size() {
        return disk.length;
    }
}
