package io.vhdstream.topology.disk;

import io.vhdstream.vhd.repair.VhdRepairer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The marks ({@link LayerMarks}) of the checkpoint a directory is recovered from, as they pass through the owner: each
 * disk's active layer is cut back to its mark at the disk's first load, and a disk not loaded since (or evicted from
 * the cache) keeps its mark in the next checkpoint's.
 */
final class RecoveryMarks {
    private LayerMarks recovered = LayerMarks.none();
    /** Disks loaded since {@link #recoverFrom}: their active layer was cut back then, later loads find it synced. */
    private final Set<String> settled = new HashSet<>();

    /** See {@link DiskLayers#recoverFrom}. */
    void recoverFrom(LayerMarks marks) {
        this.recovered = marks;
        settled.clear();
    }

    /** Cuts back the active layer of a live disk being loaded, if it exists. */
    void cutBack(Disk d) throws IOException {
        Path activeFile = d.activeFile();
        boolean first = settled.add(d.id);
        LayerMarks.Mark mark = first ? recovered.take(d.id) : null;
        if (!Files.exists(activeFile)) {
            return;
        }
        // Blocks allocated after the layer's last sync may be on the disk without their BAT entries (the engine
        // writes those after a barrier), the end footer damaged: cut back so that the replay from the store's
        // offset allocates them where the first run did (docs/crash-safety.md). With the checkpoint's mark, back
        // to its length (an active layer newer than the mark had no block then); else only the tail.
        if (first && recovered.offset() >= 0 && d.activeFromOffset() >= recovered.offset()) {
            VhdRepairer.cutBackTo(activeFile, 0);   // every write into it is replayed
        } else if (mark != null && mark.layer().equals(d.activeName())) {
            VhdRepairer.cutBackTo(activeFile, mark.length());
        } else {
            VhdRepairer.cutUnreferencedTail(activeFile);
        }
    }

    /**
     * An evicted disk keeps its mark in the next checkpoints (its layer was synced when it was closed): written again
     * after one, a power loss must cut it back to that length, which no later checkpoint would record otherwise.
     */
    void evicted(Disk d) throws IOException {
        if (d.live()) {
            recovered.put(d.id, d.activeName(), d.activeLength());
        }
    }

    /** The marks for a checkpoint now: each {@code loaded} disk's active layer as it is, and the marks not taken yet. */
    LayerMarks marks(Collection<Disk> loaded) throws IOException {
        LayerMarks m = recovered.untaken();   // disks not loaded since the recovery: still as the crash left them
        for (Disk d : loaded) {
            if (d.live()) {
                // A layer not created yet is marked empty: a power loss after it is made must cut it back to no block.
                m.put(d.id, d.activeName(), d.activeLength());
            } else {
                m.take(d.id);
            }
        }
        return m;
    }
}
