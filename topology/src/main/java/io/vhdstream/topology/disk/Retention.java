package io.vhdstream.topology.disk;

import java.util.List;

/**
 * How many snapshots of a disk stay rebuildable from its layer directory: at most {@code snapshots}, and none
 * whose Snapshot record is more than {@code maxAgeMs} older than the newest one (the newest always stays). The
 * base layer holds the oldest retained snapshot; older layers are merged into it (docs/layer-directory.md).
 *
 * <p>Decided from the sealed layers alone (their seal timestamps, never the clock), so a replay or a rebuild of
 * the same input decides the same merges.
 */
public record Retention(int snapshots, long maxAgeMs) {
    /** The chain a reader accepts has 64 layers: retained snapshots plus the active layer must fit. */
    public static final int MAX_SNAPSHOTS = DiskLayers.MAX_LAYERS - 2;
    public static final int DEFAULT_SNAPSHOTS = 48;
    public static final long DEFAULT_MAX_AGE_MS = 7L * 24 * 3600 * 1000;
    /** Two days of snapshots every hour, none older than a week: what a nightly-restore backup user keeps. */
    public static final Retention DEFAULT = new Retention(DEFAULT_SNAPSHOTS, DEFAULT_MAX_AGE_MS);

    public Retention {
        if (snapshots < 1 || snapshots > MAX_SNAPSHOTS) {
            throw new IllegalArgumentException("retained snapshots must be from 1 to " + MAX_SNAPSHOTS + ", not " + snapshots);
        }
        if (maxAgeMs < 1) {
            throw new IllegalArgumentException("the retention age must be positive, not " + maxAgeMs);
        }
    }

    /**
     * The layer the base should hold after the newest of {@code sealed} was sealed: {@code level} (the layer it
     * holds now) or higher. Layers {@code level + 1 ..} the result are to be merged into the base.
     */
    public int baseLevel(List<SealedLayer> sealed, int level) {
        int newest = sealed.size() - 1;
        long now = sealed.get(newest).sealedAt();
        int b = level;
        while (b < newest && (newest - b + 1 > snapshots || sealed.get(b).sealedAt() < now - maxAgeMs)) {
            b++;
        }
        return b;
    }
}
