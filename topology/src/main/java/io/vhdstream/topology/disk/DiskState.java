package io.vhdstream.topology.disk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code state} file of a disk directory: what CreateDisk fixed and, once deleted, the tombstone. Written
 * atomically (twice in a disk's life: at creation and at deletion) as {@code key=value} lines with
 * percent-encoded values:
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
    static final int VERSION = 1;

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
        m.put("version", String.valueOf(VERSION));
        m.put("diskId", diskId);
        m.put("topic", topic);
        m.put("partition", String.valueOf(partition));
        m.put("virtualSize", String.valueOf(virtualSize));
        m.put("blockSize", String.valueOf(blockSize));
        m.put("createdOffset", String.valueOf(createdOffset));
        m.put("createdAt", String.valueOf(createdAt));
        if (deleted()) {
            m.put("deletedOffset", String.valueOf(deletedOffset));
            if (deleteReason != null) {
                m.put("deleteReason", deleteReason);
            }
            m.put("deletedLayers", String.join(",", deletedLayers.stream().map(LayerNames::encode).toList()));
        }
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(k).append('=').append(LayerNames.encode(v)).append('\n'));
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static DiskState parse(String text, Path where) throws LayerDirectoryException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new LayerDirectoryException(where + ": malformed line '" + line + "'");
            }
            m.put(line.substring(0, eq), decode(line.substring(eq + 1), where));
        }
        try {
            int version = Integer.parseInt(require(m, "version", where));
            if (version != VERSION) {
                throw new LayerDirectoryException(where + ": unsupported state version " + version);
            }
            long deletedOffset = m.containsKey("deletedOffset") ? Long.parseLong(m.get("deletedOffset")) : -1;
            List<String> layers = new ArrayList<>();
            String dl = m.get("deletedLayers");
            if (dl != null && !dl.isEmpty()) {
                for (String s : dl.split(",")) {
                    layers.add(decode(s, where));
                }
            }
            return new DiskState(require(m, "diskId", where), require(m, "topic", where),
                    Integer.parseInt(require(m, "partition", where)), Long.parseLong(require(m, "virtualSize", where)),
                    Integer.parseInt(require(m, "blockSize", where)), Long.parseLong(require(m, "createdOffset", where)),
                    Long.parseLong(require(m, "createdAt", where)), deletedOffset, m.get("deleteReason"), layers);
        } catch (NumberFormatException e) {
            throw new LayerDirectoryException(where + ": malformed number: " + e.getMessage(), e);
        }
    }

    public static DiskState read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file);
    }

    public void write(Path file) throws IOException {
        FileOps.atomicWrite(file, serialize());
    }

    private static String require(Map<String, String> m, String key, Path where) throws LayerDirectoryException {
        String v = m.get(key);
        if (v == null) {
            throw new LayerDirectoryException(where + ": missing " + key);
        }
        return v;
    }

    private static String decode(String v, Path where) throws LayerDirectoryException {
        try {
            return LayerNames.decode(v);
        } catch (IllegalArgumentException e) {
            throw new LayerDirectoryException(where + ": " + e.getMessage(), e);
        }
    }
}
