package io.vhdstream.topology.disk;

import io.vhdstream.schemas.layerdir.StateFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code state} file of a disk directory: what CreateDisk fixed and, once deleted, the tombstone. Written
 * atomically (twice in a disk's life: at creation and at deletion) as {@code key=value} lines with
 * percent-encoded values (the text rules are {@link StateFile}'s, shared with the source connector):
 *
 * <pre>
 * version=1
 * diskId=vm-17
 * topic=vhdstream-commands
 * partition=3
 * virtualSize=1073741824
 * blockSize=2097152
 * createdOffset=120
 * createdAt=1732363200000        (timestamp of the CreateDisk record, ms)
 * deletedOffset=990              (only once deleted)
 * deleteReason=decommissioned    (only if the DeleteDisk had one)
 * deletedLayers=base.vhd,0001@s2.vhd
 * </pre>
 *
 * Every decision about a command is taken "as of" its input offset from these offsets, so a replay of old
 * commands over newer state decides the same way as the first run.
 *
 * @param deletedOffset -1 while the disk exists
 */
public record DiskState(String diskId, String topic, int partition, long virtualSize, int blockSize,
                        long createdOffset, long createdAt, long deletedOffset, String deleteReason,
                        List<String> deletedLayers) {
    public DiskState {
        deletedLayers = List.copyOf(deletedLayers);
    }

    public static DiskState created(String diskId, Position pos, long virtualSize, int blockSize) {
        return new DiskState(diskId, pos.topic(), pos.partition(), virtualSize, blockSize, pos.offset(), pos.timestamp(),
                -1, null, List.of());
    }

    public boolean deleted() {
        return deletedOffset >= 0;
    }

    /** True if the disk existed when the command at {@code offset} was issued (CreateDisk before it, DeleteDisk not before it). */
    public boolean existedAt(long offset) {
        return createdOffset < offset && (deletedOffset < 0 || offset <= deletedOffset);
    }

    public DiskState withDeleted(long offset, String reason, List<String> layers) {
        return new DiskState(diskId, topic, partition, virtualSize, blockSize, createdOffset, createdAt, offset, reason, layers);
    }

    public byte[] serialize() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("diskId", diskId);
        m.put("topic", topic);
        m.put("partition", String.valueOf(partition));
        m.put("virtualSize", String.valueOf(virtualSize));
        m.put("blockSize", String.valueOf(blockSize));
        m.put("createdOffset", String.valueOf(createdOffset));
        m.put("createdAt", String.valueOf(createdAt));
        if (deleted()) {
            m.put(StateFile.DELETED_OFFSET, String.valueOf(deletedOffset));
            if (deleteReason != null) {
                m.put(StateFile.DELETE_REASON, deleteReason);
            }
            m.put(StateFile.DELETED_LAYERS, StateFile.list(deletedLayers));
        }
        return StateFile.format(m).getBytes(StandardCharsets.UTF_8);
    }

    /** Through the shared rules of {@link StateFile}; every field CreateDisk fixed is required. */
    public static DiskState parse(String text, Path where) throws LayerDirectoryException {
        try {
            StateFile.Fields f = StateFile.parse(text);
            return new DiskState(f.require("diskId"), f.require("topic"), f.intValue("partition"), f.longValue("virtualSize"),
                    f.intValue("blockSize"), f.longValue("createdOffset"), f.longValue("createdAt"), f.deletedOffset(),
                    f.deleteReason(), f.deletedLayers());
        } catch (IllegalArgumentException e) {
            throw new LayerDirectoryException(where + ": " + e.getMessage(), e);
        }
    }

    public static DiskState read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file);
    }

    public void write(Path file) throws IOException {
        FileOps.atomicWrite(file, serialize());
    }
}
