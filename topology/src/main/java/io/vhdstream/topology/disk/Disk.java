package io.vhdstream.topology.disk;

import io.vhdstream.schemas.layerdir.LayerDirectoryLines;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One disk as {@link DiskLayers} holds it in memory: its facts ({@code state}, null while no disk exists), its
 * {@code sealed} and {@code merged} lines, and its active layer while open; and what these say about its chain.
 */
final class Disk {
    final String id;
    final Path dir;
    DiskState state;
    final List<SealedLayer> sealed = new ArrayList<>();
    final List<MergeRecord> merges = new ArrayList<>();
    /** The active layer while open ({@link ActiveLayers}), else null. */
    VhdImage active;
    /** The open active layer was written since its last sync. */
    boolean dirty;

    Disk(String id, Path dir) {
        this.id = id;
        this.dir = dir;
    }

    /** The layer whose snapshot {@code base.vhd} holds: layers 1..level were merged into it. */
    int level() {
        return LayerDirectoryLines.MergeLine.level(merges);
    }

    /** The file that holds layer {@code index} now: its own, or the base once merged into it. */
    String chainFile(int index) {
        return index <= level() ? LayerNames.BASE : sealed.get(index).fileName();
    }

    List<MergeRecord> mergesDecidedAt(long offset) {
        return merges.stream().filter(m -> m.decidedAt() == offset).toList();
    }

    long lastSealOffset() {
        return sealed.isEmpty() ? -1 : sealed.get(sealed.size() - 1).sealOffset();
    }

    /** The input offset of the active layer's first command: the CreateDisk, or the one after the last seal. */
    long activeFromOffset() {
        return sealed.isEmpty() ? state.createdOffset() : lastSealOffset() + 1;
    }

    /** The active layer's file name (the layer above the last sealed one), whether or not it exists yet. */
    String activeName() {
        return LayerNames.activeFile(sealed.size());
    }

    Path activeFile() {
        return dir.resolve(activeName());
    }

    /** The active layer file's length, 0 while it is not made. */
    long activeLength() throws IOException {
        Path active = activeFile();
        return Files.exists(active) ? Files.size(active) : 0;
    }

    /** A disk that was created and not deleted. */
    boolean live() {
        return state != null && !state.deleted();
    }
}
