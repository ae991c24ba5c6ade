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

    /**
     * The replica holds snapshot {@code snapshotId} of layer {@code index} in a sealed layer, and its base is at
     * retention level {@code level} (as the source's).
     */
    static boolean holds(Path dir, int index, String snapshotId, int level) {
        try {
            if (level(dir) != level) {
                return false;
            }
            for (ReplicaLayers.Layer l : ReplicaLayers.read(dir)) {
                if (l.sealed() && snapshotId.equals(l.snapshotId()) && (l.layerIndex() == index || l.layerIndex() == 0)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false; // the sink is replacing files right now (a merge or a resync): look again
        }
    }

    /** The snapshot of the replica's highest sealed layer ("-": none yet). */
    static String newest(Path dir) {
        try {
            return ReplicaLayers.read(dir).stream().filter(ReplicaLayers.Layer::sealed).reduce((a, b) -> b)
                    .map(l -> l.snapshotId() == null ? "layer " + l.layerIndex() : l.snapshotId()).orElse("-");
        } catch (IOException e) {
            return "-";
        }
    }

    /** Bytes in the replica directory, staging included: moves while the sink writes. */
    static long bytes(Path dir) {
        if (!java.nio.file.Files.isDirectory(dir)) {
            return 0;
        }
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(dir)) {
            return s.mapToLong(p -> {
                try {
                    return java.nio.file.Files.isRegularFile(p) ? java.nio.file.Files.size(p) : 0;
                } catch (IOException gone) {
                    return 0;
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    static int failed(Path dir) throws IOException {
        return (int) ReplicaLayers.read(dir).stream().filter(ReplicaLayers.Layer::failed).count();
    }
}
