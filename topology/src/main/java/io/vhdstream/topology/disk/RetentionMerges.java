package io.vhdstream.topology.disk;

import io.vhdstream.vhd.extent.Extent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The merges a seal's {@link Retention} decides: when the seal takes a disk past it, the oldest layers above the base
 * are merged into the base, the decision journaled in {@code merged} (fsynced) before any file changes.
 */
final class RetentionMerges {
    private final Retention retention;

    RetentionMerges(Retention retention) {
        this.retention = retention;
    }

    /**
     * Decides, as of the seal at {@code pos} (the disk's newest), whether the disk is past its retention, and merges
     * if so; what the merge writes into the base is added to {@code mergedExtents}.
     *
     * @return the merge decided, or none
     */
    List<MergeRecord> afterSeal(Disk d, Position pos, List<Extent> mergedExtents) throws IOException {
        int level = d.level();
        int target = retention.baseLevel(d.sealed, level);
        if (target == level) {
            return List.of();
        }
        MergeRecord m = new MergeRecord(pos.offset(), level + 1, target);
        FileOps.appendDurably(d.dir.resolve(MergeRecord.FILE), m.toLine().getBytes(StandardCharsets.UTF_8));
        d.merges.add(m);
        mergedExtents.addAll(LayerMerger.run(d.dir, d.sealed, m, d.activeName()));
        return List.of(m);
    }
}
