package io.vhdstream.topology.produce;

import io.vhdstream.schemas.command.CreateDisk;
import io.vhdstream.schemas.command.DeleteDisk;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Snapshot;
import io.vhdstream.schemas.command.Trim;
import io.vhdstream.schemas.command.Write;

import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds {@link DiskCommand}s. No validation: the topology is what judges commands. */
public final class DiskCommands {
    private DiskCommands() {
    }

    public static DiskCommand create(String diskId, long virtualSize, int blockSize) {
        return of(diskId, CreateDisk.newBuilder().setVirtualSize(virtualSize).setBlockSize(blockSize).build());
    }

    public static DiskCommand write(String diskId, long offset, byte[] data) {
        return of(diskId, Write.newBuilder().setOffset(offset).setData(ByteBuffer.wrap(data)).build());
    }

    public static DiskCommand trim(String diskId, long offset, long length) {
        return of(diskId, Trim.newBuilder().setOffset(offset).setLength(length).build());
    }

    public static DiskCommand snapshot(String diskId, String snapshotId, String label) {
        return of(diskId, Snapshot.newBuilder().setSnapshotId(snapshotId).setLabel(label).build());
    }

    public static DiskCommand delete(String diskId, String reason) {
        return of(diskId, DeleteDisk.newBuilder().setReason(reason).build());
    }

    public static DiskCommand of(String diskId, Object payload) {
        return DiskCommand.newBuilder().setDiskId(diskId).setTimestamp(Instant.now()).setPayload(payload).build();
    }
}
