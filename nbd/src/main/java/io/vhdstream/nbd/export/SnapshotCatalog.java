package io.vhdstream.nbd.export;

import io.vhdstream.nbd.protocol.Nbd;
import io.vhdstream.nbd.protocol.NbdError;
import io.vhdstream.schemas.layerdir.LayerDirectoryLines;
import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.MergeRecord;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.coalesce.CoalesceMarker;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only exports {@code DISK@SNAPSHOT} of the sealed snapshots under layer directories
 * (docs/layer-directory.md): a topology's {@code layers.dir} (one directory per disk) or one disk's directory
 * ({@code rebuild --out}), and of the sealed layers of a replica sink's {@code replica.dir} (or one disk's
 * directory in it). Snapshot S is the chain from {@code base.vhd} up to the layer S sealed, found through
 * the {@code sealed} file (complete lines only, so a directory being written is safe to read). Retention
 * merges are honoured: snapshots below the base level of {@code merged} are gone, the one at that level is
 * {@code base.vhd} alone, and nothing is opened while a merge rewrites the base.
 */
public final class SnapshotCatalog implements ExportCatalog {
    private final List<Path> roots;

    public SnapshotCatalog(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    @Override
    public Export open(String name) throws IOException {
        // Disk and snapshot ids may both contain '@': try every split, the last '@' first.
        for (int at = name.lastIndexOf('@'); at > 0; at = name.lastIndexOf('@', at - 1)) {
            String disk = name.substring(0, at);
            String snapshot = name.substring(at + 1);
            if (snapshot.isEmpty() || LayerNames.diskIdProblem(disk) != null) {
                continue;
            }
            for (Path root : roots) {
                for (Path dir : List.of(root.resolve(LayerNames.diskDir(disk)), root)) {
                    Export e = null;
                    if (disk.equals(diskIdOf(dir))) {
                        e = open(name, dir, snapshot);
                    } else if (ReplicaSnapshots.isReplicaOf(dir, disk)) {
                        e = ReplicaSnapshots.open(name, dir, snapshot);
                    }
                    if (e != null) {
                        return e;
                    }
                }
            }
        }
        return null;
    }

    private static Export open(String name, Path dir, String snapshot) throws IOException {
        SealedLayer s = null;
        List<SealedLayer> sealed = SealedLayer.readAll(dir.resolve(LayerNames.SEALED));
        for (SealedLayer l : sealed) {
            if (l.snapshotId().equals(snapshot)) {
                s = l;
            }
        }
        if (s == null) {
            return null;
        }
        List<MergeRecord> merges = MergeRecord.readAll(dir.resolve(MergeRecord.FILE));
        int level = LayerDirectoryLines.MergeLine.level(merges);
        if (s.layerIndex() < level) {
            throw new IOException("snapshot " + snapshot + " was merged into the base by retention; the oldest kept is layer "
                    + level + "'s");
        }
        Path base = dir.resolve(LayerNames.BASE);
        if (Files.exists(CoalesceMarker.of(base)) || (!merges.isEmpty() && merges.get(merges.size() - 1).line().filesLeftIn(dir))) {
            throw new IOException("a retention merge is rewriting " + base + "; try again in a moment");
        }
        Path top = s.layerIndex() == level ? base : dir.resolve(s.fileName());
        VhdChain chain = VhdChain.open(top, ChainOptions.forImage(top), false);
        return new SnapshotExport(name, chain, new MergeWatch(dir.resolve(MergeRecord.FILE), s.layerIndex()));
    }

    /**
     * Notices a merge that starts while a snapshot is being read: once the base level passes the snapshot's
     * layer, {@code base.vhd} no longer reads as it did and the export fails with EIO rather than mix contents.
     */
    static final class MergeWatch implements SnapshotExport.Guard {
        private final Path merged;
        private final int layerIndex;
        private long seenSize;

        MergeWatch(Path merged, int layerIndex) throws IOException {
            this.merged = merged;
            this.layerIndex = layerIndex;
            this.seenSize = Files.exists(merged) ? Files.size(merged) : 0;
        }

        @Override
        public void check() throws IOException {
            long size = Files.exists(merged) ? Files.size(merged) : 0;
            if (size == seenSize) {
                return;
            }
            List<MergeRecord> m = MergeRecord.readAll(merged);
            if (LayerDirectoryLines.MergeLine.level(m) > layerIndex) {
                throw new NbdError(Nbd.EIO, "this snapshot was merged into the base by retention while it was read");
            }
            seenSize = size;
        }
    }

    /** The disk a directory holds (its {@code state} file), or null if it holds none or was deleted. */
    private static String diskIdOf(Path dir) throws IOException {
        Path state = dir.resolve(LayerNames.STATE);
        if (!Files.isRegularFile(state)) {
            return null;
        }
        DiskState s = DiskState.read(state);
        return s.deleted() ? null : s.diskId();
    }

    @Override
    public List<String> names(int max) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path root : roots) {
            addDisk(root, out, max);
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                for (Path dir : ds) {
                    if (Files.isDirectory(dir) && !dir.getFileName().toString().startsWith(".")) {
                        addDisk(dir, out, max);
                    }
                }
            }
        }
        return out;
    }

    private static void addDisk(Path dir, List<String> out, int max) throws IOException {
        String disk = diskIdOf(dir);
        if (disk == null) {
            ReplicaSnapshots.addNames(dir, out, max);
            return;
        }
        List<MergeRecord> merges = MergeRecord.readAll(dir.resolve(MergeRecord.FILE));
        int level = LayerDirectoryLines.MergeLine.level(merges);
        for (SealedLayer s : SealedLayer.readAll(dir.resolve(LayerNames.SEALED))) {
            if (out.size() >= max) {
                return;
            }
            if (s.layerIndex() >= level) {
                out.add(disk + "@" + s.snapshotId());
            }
        }
    }
}
