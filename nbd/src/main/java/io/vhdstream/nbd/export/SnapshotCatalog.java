package io.vhdstream.nbd.export;

import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only exports {@code DISK@SNAPSHOT} of the sealed snapshots under layer directories
 * (docs/layer-directory.md): a topology's {@code layers.dir} (one directory per disk) or one disk's directory
 * ({@code rebuild --out}). Snapshot S is the chain from {@code base.vhd} up to the layer S sealed, found through
 * the {@code sealed} file (complete lines only, so a directory being written is safe to read).
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
            Path top = find(disk, snapshot);
            if (top != null) {
                return new SnapshotExport(name, VhdChain.open(top, ChainOptions.forImage(top), false));
            }
        }
        return null;
    }

    /** The layer file that snapshot {@code snapshot} of {@code disk} sealed, or null. */
    private Path find(String disk, String snapshot) throws IOException {
        for (Path root : roots) {
            for (Path dir : List.of(root.resolve(LayerNames.diskDir(disk)), root)) {
                if (!disk.equals(diskIdOf(dir))) {
                    continue;
                }
                for (SealedLayer s : SealedLayer.readAll(dir.resolve(LayerNames.SEALED))) {
                    if (s.snapshotId().equals(snapshot) && Files.isRegularFile(dir.resolve(s.fileName()))) {
                        return dir.resolve(s.fileName());
                    }
                }
            }
        }
        return null;
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
            return;
        }
        for (SealedLayer s : SealedLayer.readAll(dir.resolve(LayerNames.SEALED))) {
            if (out.size() >= max) {
                return;
            }
            out.add(disk + "@" + s.snapshotId());
        }
    }
}
