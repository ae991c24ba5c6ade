package io.vhdstream.connector.sink;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One disk's replica directory as readers outside the sink see it (the NBD server's snapshot exports, the
 * demo's checks): each layer's file, index, snapshot id and state, from its manifest. Manifests are replaced
 * atomically, so one read is never half-written.
 */
public final class ReplicaLayers {
    private ReplicaLayers() {
    }

    /**
     * @param snapshotId the snapshot the layer captures (the base: the newest one merged into it); null for foreign
     *                   chains and replicas made before snapshot ids were sent
     * @param merged     retention folded it into the base: its file is gone
     */
    public record Layer(int layerIndex, String snapshotId, Path file, boolean sealed, boolean failed, boolean merged) {
    }

    /**
     * True while a retention merge rewrites the replica's base (its journal is there until the merge is recorded), or a
     * resynced base replaces the chain (sealed in its staging directory, it is moved in and the old chain deleted).
     */
    public static boolean merging(Path diskDir) throws IOException {
        if (Files.exists(diskDir.resolve(ReplicaStore.MERGE_JOURNAL))) {
            return true;
        }
        Path staging = diskDir.resolve(ReplicaStore.RESYNC_DIR);
        if (!Files.isDirectory(staging)) {
            return false;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(staging, "*" + LayerManifest.SUFFIX)) {
            for (Path m : ds) {
                if (LayerManifest.read(m).state() == LayerManifest.State.SEALED) {
                    return true;
                }
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            return Files.isDirectory(staging); // the switch is removing it right now
        }
        return false;
    }

    /** The source layers merged into the replica's base (0: none): it reads as that layer's snapshot. */
    public static int level(Path diskDir) throws IOException {
        int level = 0;
        if (!Files.isDirectory(diskDir)) {
            return level;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(diskDir, "*" + LayerManifest.SUFFIX)) {
            for (Path m : ds) {
                LayerManifest lm = LayerManifest.read(m);
                level = Math.max(level, lm.state() == LayerManifest.State.MERGED ? lm.layerIndex() : lm.baseLevel());
            }
        }
        return level;
    }

    /** Every layer of the replica directory {@code diskDir}, by layer index; empty when it does not exist. */
    public static List<Layer> read(Path diskDir) throws IOException {
        List<Layer> out = new ArrayList<>();
        if (!Files.isDirectory(diskDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(diskDir, "*" + LayerManifest.SUFFIX)) {
            for (Path m : ds) {
                LayerManifest lm = LayerManifest.read(m);
                out.add(new Layer(lm.layerIndex(), lm.snapshotId(), diskDir.resolve(lm.replicaFile()),
                        lm.state() == LayerManifest.State.SEALED, lm.state() == LayerManifest.State.FAILED,
                        lm.state() == LayerManifest.State.MERGED));
            }
        }
        out.sort(Comparator.comparingInt(Layer::layerIndex));
        return out;
    }
}
