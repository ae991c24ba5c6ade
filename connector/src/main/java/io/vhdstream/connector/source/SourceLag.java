package io.vhdstream.connector.source;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code source-lag-layers}: the sealed layers of a task's disks after the last one emitted (or started: it is not
 * whole yet), kept as a sum of per-disk counts. Only the disks whose chain or progress changed since the last count
 * are counted again (a layer done changes one disk), so a count costs what changed, not the number of disks.
 */
final class SourceLag {
    private long counted;
    private final Set<SourceDisk> changed = new HashSet<>();
    /** Disks counted again since start (tests: proportional to what changed, not to the disks). */
    private long recounts;

    /** The disk's chain or progress changed: it is counted again at the next {@link #count}. */
    void changed(SourceDisk d) {
        changed.add(d);
    }

    /** The disk is forgotten: its part leaves the sum. */
    void forget(SourceDisk d) {
        changed.remove(d);
        counted -= d.lag;
    }

    /** The sum, after counting the changed disks again. */
    long count() {
        recounts += changed.size();
        for (SourceDisk d : changed) {
            long n = lagOf(d);
            counted += n - d.lag;
            d.lag = n;
        }
        changed.clear();
        return counted;
    }

    long recounts() {
        return recounts;
    }

    private static long lagOf(SourceDisk d) {
        List<LayerRef> layers = d.chain == null ? List.of() : d.chain.layers();
        int done = 0;
        if (d.progress != null) {
            for (int i = 0; i < layers.size(); i++) {
                if (layers.get(i).uniqueId().equals(d.progress.layer())) {
                    done = i + (d.progress.complete() ? 1 : 0);
                    break;
                }
            }
        }
        return Math.max(0, layers.size() - done);
    }
}
