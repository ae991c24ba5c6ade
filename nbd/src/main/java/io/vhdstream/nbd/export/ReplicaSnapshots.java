package io.vhdstream.nbd.export;

import io.vhdstream.connector.sink.ReplicaLayers;
import io.vhdstream.nbd.protocol.Nbd;
import io.vhdstream.nbd.protocol.NbdError;
import io.vhdstream.schemas.common.NameEncoding;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

/**
 * {@code DISK@SNAPSHOT} from a replica sink's disk directory ({@code replica.dir/<disk-dir>}): no {@code state}
 * file, its layers named by their manifests ({@link ReplicaLayers}). The sink seals a layer only after its parent,
 * so a sealed layer's chain is complete. The sink follows the source's retention merges: a snapshot merged into
 * the base is gone, and nothing is opened or read while a merge rewrites the base.
 */
final class ReplicaSnapshots {
    private ReplicaSnapshots() {
    }

    /** True if {@code dir} is a replica directory named for {@code disk} (a layer directory has a {@code state} file). */
    static boolean isReplicaOf(Path dir, String disk) {
        return dir.getFileName() != null && dir.getFileName().toString().equals(LayerNames.diskDir(disk))
                && Files.isDirectory(dir) && !Files.exists(dir.resolve(LayerNames.STATE));
    }

    /** The export, or null if no sealed replica layer holds the snapshot. */
    static Export open(String name, Path dir, String snapshot) throws IOException {
        if (ReplicaLayers.merging(dir)) {
            throw new IOException("a retention merge is rewriting the replica's base in " + dir + "; try again in a moment");
        }
        FileTime seen = Files.getLastModifiedTime(dir);
        for (ReplicaLayers.Layer l : ReplicaLayers.read(dir)) {
            if (!snapshot.equals(l.snapshotId())) {
                continue;
            }
            if (l.merged()) {
                throw new IOException("snapshot " + snapshot + " was merged into the replica's base by retention");
            }
            if (l.sealed()) {
                VhdChain chain = VhdChain.open(l.file(), ChainOptions.forImage(l.file()), false);
                return new SnapshotExport(name, chain, new MergeGuard(dir, l.layerIndex(), snapshot, seen));
            }
        }
        return null;
    }

    /** Adds {@code DISK@SNAPSHOT} for each sealed layer of a replica directory (nothing if it is not one). */
    static void addNames(Path dir, List<String> out, int max) throws IOException {
        if (dir.getFileName() == null || Files.exists(dir.resolve(LayerNames.STATE))) {
            return;
        }
        String disk;
        try {
            disk = NameEncoding.decode(dir.getFileName().toString());
        } catch (IllegalArgumentException e) {
            return;   // not a disk directory
        }
        for (ReplicaLayers.Layer l : ReplicaLayers.read(dir)) {
            if (out.size() >= max) {
                return;
            }
            if (l.sealed() && l.snapshotId() != null) {
                out.add(disk + "@" + l.snapshotId());
            }
        }
    }

    /**
     * Fails reads with EIO while the sink merges into the base, and for good once the snapshot's layer was merged
     * (the base no longer reads as it did). One stat per read: every manifest change renames a file in the
     * directory, so an unchanged directory time means nothing to look at.
     */
    private static final class MergeGuard implements SnapshotExport.Guard {
        private final Path dir;
        private final int layerIndex;
        private final String snapshot;
        private FileTime seen;

        MergeGuard(Path dir, int layerIndex, String snapshot, FileTime seen) {
            this.dir = dir;
            this.layerIndex = layerIndex;
            this.snapshot = snapshot;
            this.seen = seen;
        }

        @Override
        public void check() throws IOException {
            FileTime now = Files.getLastModifiedTime(dir);
            if (now.equals(seen)) {
                return;
            }
            if (ReplicaLayers.merging(dir)) {
                throw new NbdError(Nbd.EIO, "a retention merge is rewriting the replica's base; try again in a moment");
            }
            for (ReplicaLayers.Layer l : ReplicaLayers.read(dir)) {
                if (l.layerIndex() == layerIndex && (l.merged() || !snapshot.equals(l.snapshotId()))) {
                    throw new NbdError(Nbd.EIO, "this snapshot was merged into the replica's base by retention while it was read");
                }
            }
            seen = now;
        }
    }
}
