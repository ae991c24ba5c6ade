package io.vhdstream.embedded.demo;

import io.vhdstream.connector.sink.ReplicaLayers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A disk's replica directory as the sink's manifests describe it ({@link ReplicaLayers}). */
final class Replicas {
    private Replicas() {
    }

    /** Sealed replica layers by source layer index. */
    static Map<Integer, Path> layers(Path dir) throws IOException {
        Map<Integer, Path> out = new HashMap<>();
        for (ReplicaLayers.Layer l : ReplicaLayers.read(dir)) {
            if (l.sealed()) {
                out.put(l.layerIndex(), l.file());
            }
        }
        return out;
    }

    /** Replica layers sealed, including those sealed and then merged into the replica's base. */
    static int sealed(Path dir) {
        try {
            return (int) ReplicaLayers.read(dir).stream().filter(l -> l.sealed() || l.merged()).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The highest source layer merged into the replica's base (0: none), by retention or by a resync. */
    static int level(Path dir) {
        try {
            return ReplicaLayers.level(dir);
        } catch (IOException e) {
            return 0;
        }
    }

    static int failed(Path dir) throws IOException {
        return (int) ReplicaLayers.read(dir).stream().filter(ReplicaLayers.Layer::failed).count();
    }
}
