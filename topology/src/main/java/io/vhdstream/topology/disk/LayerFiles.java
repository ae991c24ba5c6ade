package io.vhdstream.topology.disk;

import io.vhdstream.vhd.create.VhdCreator;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The layer files of a disk directory as its owner makes, names and removes them (docs/layer-directory.md): a new
 * layer appears only complete and with its deterministic identity, a removal is made durable.
 */
final class LayerFiles {
    private LayerFiles() {
    }

    /**
     * Creates layer {@code index} as the disk's active layer: under a hidden temporary name, stamped with its identity
     * ({@link LayerIdentity}), fsynced and renamed into place; the base is dynamic, any other layer a child of the
     * file that holds layer {@code index - 1}.
     */
    static void create(Disk d, int index) throws IOException {
        String name = LayerNames.activeFile(index);
        Path target = d.dir.resolve(name);
        Path tmp = d.dir.resolve(LayerNames.tmp(name));
        Files.deleteIfExists(tmp);
        long openingOffset;
        long openedAt;
        if (index == 0) {
            openingOffset = d.state.createdOffset();
            openedAt = d.state.createdAt();
            VhdCreator.dynamic(tmp, d.state.virtualSize(), d.state.blockSize());
        } else {
            SealedLayer parent = d.sealed.get(index - 1);
            openingOffset = parent.sealOffset();
            openedAt = parent.sealedAt();
            VhdCreator.differencing(tmp, d.dir.resolve(d.chainFile(index - 1)));
        }
        LayerIdentity.stamp(tmp, LayerIdentity.uniqueId(d.state.topic(), d.state.partition(), d.id, index, openingOffset),
                LayerIdentity.vhdTime(openedAt));
        FileOps.moveIntoPlace(tmp, target);
    }

    /**
     * Gives the active layer its name ({@code NNNN.vhd}) if it has another: the old layout's
     * {@code NNNN-<previous snapshot>.vhd}, or {@code NNNN@<snapshot>.vhd} left by a crash between a seal's rename
     * and its sealed line. The active layer has no child, so no locator names it.
     */
    static void nameActiveLayer(Disk d) throws IOException {
        int n = d.sealed.size();
        if (n == 0) {
            return;
        }
        Path active = d.dir.resolve(LayerNames.activeFile(n));
        if (Files.exists(active)) {
            return;
        }
        Path legacy = d.dir.resolve(LayerNames.legacyFile(n, d.sealed.get(n - 1).snapshotId()));
        if (Files.exists(legacy)) {
            FileOps.moveIntoPlace(legacy, active);
            return;
        }
        String prefix = LayerNames.sealedPrefix(n);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d.dir, p -> p.getFileName().toString().startsWith(prefix)
                && LayerNames.isLayerFile(p.getFileName().toString()))) {
            for (Path p : ds) {
                FileOps.moveIntoPlace(p, active);
                return;
            }
        }
    }

    /** Removes what an earlier disk of the directory (a CreateDisk that did not complete) left: layers, lines, state. */
    static void clearLeftovers(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (LayerNames.isLayerFile(n) || n.startsWith(".") || n.equals(LayerNames.SEALED) || n.equals(LayerNames.STATE)
                        || n.equals(MergeRecord.FILE)) {
                    Files.delete(p);
                }
            }
        }
        FileOps.fsyncDir(dir);
    }

    /** Removes the layer files (and temporaries) of a deleted disk; its {@code state} and {@code sealed} stay. */
    static void removeLayerFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        boolean any = false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (LayerNames.isLayerFile(n) || LayerNames.isTmp(n)) {
                    Files.delete(p);
                    any = true;
                }
            }
        }
        if (any) {
            FileOps.fsyncDir(dir);
        }
    }

    /** Removes files a crash left half made ({@code .<name>.tmp}). */
    static void deleteTmpFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (LayerNames.isTmp(p.getFileName().toString())) {
                    Files.delete(p);
                }
            }
        }
    }
}
