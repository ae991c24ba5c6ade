package io.vhdstream.connector.sink;

import io.vhdstream.vhd.image.VhdImage;

import java.nio.file.Path;

/** One replica layer as the store knows it: its directory and manifest, and its writers while it is being written. */
final class ReplicaLayer {
    final Path diskDir;
    LayerManifest manifest;
    /** Open only while the layer is written ({@link OpenWriters}). */
    VhdImage image;
    RecordLog records;

    ReplicaLayer(Path diskDir, LayerManifest manifest) {
        this.diskDir = diskDir;
        this.manifest = manifest;
    }

    Path vhd() {
        return diskDir.resolve(manifest.replicaFile());
    }

    Path manifestPath() {
        return diskDir.resolve(ReplicaNames.stem(manifest.replicaFile()) + LayerManifest.SUFFIX);
    }

    Path logPath() {
        return diskDir.resolve(ReplicaNames.stem(manifest.replicaFile()) + RecordLog.SUFFIX);
    }

    boolean sealed() {
        return manifest.state() == LayerManifest.State.SEALED;
    }

    /** Sealed, or sealed and then merged into the base: nothing of it is written any more. */
    boolean done() {
        return sealed() || manifest.state() == LayerManifest.State.MERGED;
    }
}
