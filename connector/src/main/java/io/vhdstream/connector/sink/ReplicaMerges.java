package io.vhdstream.connector.sink;

import io.vhdstream.vhd.coalesce.ChainMerger;
import io.vhdstream.vhd.io.Directories;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The source's retention applied to a replica chain ({@code LayersMerged}): its sealed layers up to a layer index fold
 * into the replica's base with the vhd engine's {@link ChainMerger} (the code the topology merges with), journaled first
 * ({@link MergeJournal}), then recorded in the manifests (MERGED; the base holds the snapshot); a journal still there
 * when the disk is loaded is redone, so a crash at any point converges.
 */
final class ReplicaMerges {
    private static final Logger log = LoggerFactory.getLogger(ReplicaMerges.class);

    private final OpenWriters writers;
    private final LayerStates states;

    ReplicaMerges(OpenWriters writers, LayerStates states) {
        this.writers = writers;
        this.states = states;
    }

    /**
     * Merges the sealed layers above {@code base} up to index {@code to} into it, journaled.
     *
     * @return the layers merged, lowest first; empty if they were merged already
     * @throws ReplicaStore.RejectedException if the chain does not reach layer {@code to} through sealed layers
     */
    List<ReplicaLayer> merge(Map<UUID, ReplicaLayer> layers, ReplicaLayer base, int to, String snapshot)
            throws IOException, ReplicaStore.RejectedException {
        List<ReplicaLayer> range = range(layers, base, to);
        if (!range.isEmpty()) {
            new MergeJournal(base.manifest.sourceLayer(), to, snapshot).write(base.diskDir);
            run(layers, base, range, snapshot);
        }
        return range;
    }

    /** Redoes a merge a crash interrupted (its journal is still there): the same range, converging on the same files. */
    void redo(Path diskDir, Map<UUID, ReplicaLayer> layers) throws IOException {
        MergeJournal j = MergeJournal.read(diskDir);
        if (j == null) {
            return;
        }
        ReplicaLayer base = layers.get(j.base());
        if (base == null) {
            throw new IOException(diskDir.resolve(MergeJournal.FILE) + " names base " + j.base() + ", which has no manifest in "
                    + diskDir);
        }
        List<ReplicaLayer> range;
        try {
            range = range(layers, base, j.to());
        } catch (ReplicaStore.RejectedException e) {
            throw new IOException(diskDir.resolve(MergeJournal.FILE) + ": " + e.getMessage(), e);
        }
        log.info("{}: redoing the merge of replica layers up to {} into the base, interrupted before", diskDir, j.to());
        if (range.isEmpty()) {
            MergeJournal.delete(diskDir);
            return;
        }
        run(layers, base, range, j.snapshot());
    }

    /**
     * The sealed layers above {@code base} up to index {@code to}, lowest first, following the chain child by child
     * (merged ones skipped); empty if they were merged already.
     */
    private static List<ReplicaLayer> range(Map<UUID, ReplicaLayer> layers, ReplicaLayer base, int to)
            throws ReplicaStore.RejectedException {
        Map<UUID, ReplicaLayer> children = new HashMap<>();
        for (ReplicaLayer l : layers.values()) {
            if (l.manifest.sourceParent() != null) {
                children.put(l.manifest.sourceParent(), l);
            }
        }
        List<ReplicaLayer> range = new ArrayList<>();
        ReplicaLayer at = base;
        while (at.manifest.layerIndex() < to) {
            ReplicaLayer child = children.get(at.manifest.sourceLayer());
            if (child == null || !child.done()) {
                throw new ReplicaStore.RejectedException("disk directory " + base.diskDir.getFileName()
                        + ": the source merged layers up to " + to + " into the base, but the replica has "
                        + (child == null ? "no layer above " + at.manifest.layerIndex()
                        : "layer " + child.manifest.layerIndex() + " " + child.manifest.state()) + "; nothing was merged");
            }
            if (child.sealed()) {
                range.add(child);
            }
            at = child;
        }
        return range;
    }

    /** Folds {@code range} into the base (journaled), then records it in the manifests and drops the journal. */
    private void run(Map<UUID, ReplicaLayer> layers, ReplicaLayer base, List<ReplicaLayer> range, String snapshot)
            throws IOException {
        UUID top = range.get(range.size() - 1).manifest.sourceLayer();
        ReplicaLayer above = layers.values().stream().filter(l -> top.equals(l.manifest.sourceParent())).findFirst().orElse(null);
        if (above != null) {
            writers.close(above); // re-linked on disk: reopened at its next record
        }
        List<Path> files = new ArrayList<>();
        for (ReplicaLayer l : range) {
            files.add(l.vhd());
        }
        ChainMerger.merge(base.vhd(), files, above == null ? null : above.vhd());
        for (ReplicaLayer l : range) {
            states.update(l, l.manifest.merged());
        }
        states.update(base, base.manifest.holding(snapshot, Math.max(base.manifest.baseLevel(),
                range.get(range.size() - 1).manifest.layerIndex())));
        MergeJournal.delete(base.diskDir);
        Directories.fsync(base.diskDir);
    }
}
