package io.vhdstream.topology.disk;

import io.vhdstream.schemas.common.NameEncoding;
import io.vhdstream.schemas.layerdir.LayerDirectoryLines;
import io.vhdstream.schemas.layerdir.StateFile;

import java.nio.charset.StandardCharsets;

/**
 * File and directory names of the layer directory (docs/layer-directory.md): disk directories, layer files,
 * the {@code sealed} and {@code state} files, the offsets directory, and the percent-encoding they share.
 */
public final class LayerNames {
    public static final String BASE = "base.vhd";
    /** The file names the connector reads too: the shared rules' ({@link LayerDirectoryLines}, {@link StateFile}). */
    public static final String SEALED = LayerDirectoryLines.SEALED;
    public static final String STATE = StateFile.NAME;
    /** Beside the disk directories; the leading dot keeps it out of the disk id namespace (ids never start with one). */
    public static final String OFFSETS_DIR = ".offsets";
    /** Snapshot ids are cut to this many bytes (after percent-encoding) in layer file names. */
    public static final int MAX_SNAPSHOT_NAME_BYTES = 100;
    private static final String TMP_SUFFIX = ".tmp";

    private LayerNames() {
    }

    /** Longest disk id, in UTF-8 bytes (docs/layer-directory.md). */
    public static final int MAX_DISK_ID_BYTES = NameEncoding.MAX_DISK_ID_BYTES;
    /** Longest file or directory name most file systems accept. */
    public static final int MAX_NAME_BYTES = NameEncoding.MAX_NAME_BYTES;
    /** Longest snapshot id, in UTF-8 bytes: it is stored whole, percent-encoded, in the {@code sealed} file. */
    public static final int MAX_SNAPSHOT_ID_BYTES = 1024;

    /** The directory name of a disk ({@link NameEncoding#diskDir}): never {@link #OFFSETS_DIR}, never hidden. */
    public static String diskDir(String diskId) {
        return NameEncoding.diskDir(diskId);
    }

    /** Why a disk id cannot name a layer directory, or null if it can. */
    public static String diskIdProblem(String diskId) {
        return NameEncoding.diskIdProblem(diskId);
    }

    /** Why a snapshot id cannot be stored, or null if it can. */
    public static String snapshotIdProblem(String snapshotId) {
        if (snapshotId == null || snapshotId.isEmpty()) {
            return "the snapshot id is empty";
        }
        int bytes = snapshotId.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SNAPSHOT_ID_BYTES) {
            return "the snapshot id has " + bytes + " bytes, more than " + MAX_SNAPSHOT_ID_BYTES;
        }
        return null;
    }

    /** {@code base.vhd} for layer 0, {@code NNNN.vhd} for the active layer {@code index}. */
    public static String activeFile(int index) {
        return index == 0 ? BASE : String.format("%04d.vhd", checkIndex(index));
    }

    /**
     * {@code base.vhd} for layer 0, {@code NNNN@<snapshot>.vhd} for layer {@code index} sealed by (capturing)
     * {@code snapshotId}: the name says which snapshot the layer's chain reads as.
     */
    public static String sealedFile(int index, String snapshotId) {
        return index == 0 ? BASE
                : String.format("%04d@%s.vhd", checkIndex(index), NameEncoding.cut(encode(snapshotId), MAX_SNAPSHOT_NAME_BYTES));
    }

    /**
     * The layout before layer names said what they hold: {@code NNNN-<snapshot>.vhd} named after the snapshot
     * that opened the layer (the previous layer's). Read, never written: sealed lines name their files, and an
     * active layer of this layout is renamed to {@link #activeFile} when its disk is loaded.
     */
    public static String legacyFile(int index, String openedBySnapshot) {
        return index == 0 ? BASE
                : String.format("%04d-%s.vhd", checkIndex(index), NameEncoding.cut(encode(openedBySnapshot), MAX_SNAPSHOT_NAME_BYTES));
    }

    /** The prefix of layer {@code index}'s sealed name, whatever the snapshot ({@code NNNN@}). */
    static String sealedPrefix(int index) {
        return String.format("%04d@", checkIndex(index));
    }

    private static int checkIndex(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("layer index " + index + " out of range");
        }
        return index;
    }

    public static boolean isLayerFile(String name) {
        return name.endsWith(".vhd") && !name.startsWith(".");
    }

    /** The hidden temporary name a file is written under before it is renamed into place. */
    public static String tmp(String name) {
        return "." + name + TMP_SUFFIX;
    }

    public static boolean isTmp(String name) {
        return name.startsWith(".") && name.endsWith(TMP_SUFFIX);
    }

    /** {@code <topic>-<partition>}, the name of a partition's file in {@link #OFFSETS_DIR}. */
    public static String offsetsFile(String topic, int partition) {
        return encode(topic) + "-" + partition;
    }

    /** [A-Za-z0-9._-] kept, every other UTF-8 byte as %XX: {@link NameEncoding#encode}. */
    public static String encode(String s) {
        return NameEncoding.encode(s);
    }

    /** Inverse of {@link #encode}; throws IllegalArgumentException on anything {@link NameEncoding#decode} refuses. */
    public static String decode(String s) {
        return NameEncoding.decode(s);
    }
}
