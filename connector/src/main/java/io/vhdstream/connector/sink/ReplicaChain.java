package io.vhdstream.connector.sink;

import java.util.Map;
import java.util.UUID;

/** What a disk's replica layers (by source layer id) say about its chain: the level its base holds, where a layer is. */
final class ReplicaChain {
    private ReplicaChain() {
    }

    /** The highest level a sealed base of the disk holds, 0 if none. */
    static int highestBaseLevel(Map<UUID, ReplicaLayer> layers) {
        int level = 0;
        for (ReplicaLayer l : layers.values()) {
            if (l.sealed() && l.manifest.sourceParent() == null) {
                level = Math.max(level, baseLevel(layers, l));
            }
        }
        return level;
    }

    /** The level a base holds: its manifest's, or for manifests from before base.level the highest layer merged into it. */
    static int baseLevel(Map<UUID, ReplicaLayer> layers, ReplicaLayer base) {
        int level = base.manifest.baseLevel();
        for (ReplicaLayer l : layers.values()) {
            if (l.manifest.state() == LayerManifest.State.MERGED) {
                level = Math.max(level, l.manifest.layerIndex());
            }
        }
        return level;
    }

    /** The layer whose file holds {@code l}'s content now: itself, or the base once retention merged it. */
    static ReplicaLayer holder(Map<UUID, ReplicaLayer> layers, ReplicaLayer l) {
        ReplicaLayer at = l;
        while (at.manifest.state() == LayerManifest.State.MERGED && at.manifest.sourceParent() != null
                && layers.containsKey(at.manifest.sourceParent())) {
            at = layers.get(at.manifest.sourceParent());
        }
        return at;
    }
}
