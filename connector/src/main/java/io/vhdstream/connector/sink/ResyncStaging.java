package io.vhdstream.connector.sink;

import io.vhdstream.schemas.block.Resync;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.common.NameEncoding;
import io.vhdstream.schemas.common.Uuids;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.Directories;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The resync bases of a store's disks ({@code StartOfLayer.resync}: the source lost the changes of some snapshots to its
 * retention): each is written into its disk's staging directory {@value ReplicaStore#RESYNC_DIR} while the old chain
 * stays as it was, and switched in ({@link ResyncSwitch}) once sealed there, the commit point. Also which records of
 * the staged base's source id go to it, and which (redelivered from before the resync) to the old chain.
 */
final class ResyncStaging {
    private static final Logger log = LoggerFactory.getLogger(ResyncStaging.class);

    private final Path dir;
    private final OpenWriters writers;
    private final LayerStates states;
    /** Per disk: the resync base being written in the staging directory, if any. */
    private final Map<String, ReplicaLayer> staged = new HashMap<>();
    /**
     * Disks whose latest StartOfLayer for the staged base's id was not a resync (records from before the resync,
     * redelivered): records of that id go to the old chain until the next resync StartOfLayer.
     */
    private final Set<String> oldBaseSent = new HashSet<>();

    ResyncStaging(Path dir, OpenWriters writers, LayerStates states) {
        this.dir = dir;
        this.writers = writers;
        this.states = states;
    }

    /** The disk's staged resync base, or null. */
    ReplicaLayer get(String diskId) {
        return staged.get(diskId);
    }

    /** A StartOfLayer that is not a resync came for {@code id}: if it is the staged base's, it is from before the resync. */
    void startedWithout(String diskId, UUID id) {
        ReplicaLayer st = staged.get(diskId);
        if (st != null && st.manifest.sourceLayer().equals(id)) {
            oldBaseSent.add(diskId);
        }
    }

    /** The layer a record of source layer {@code id} goes to: the staged base while it is being sent, else {@code l}. */
    ReplicaLayer route(String diskId, UUID id, ReplicaLayer l) {
        ReplicaLayer st = staged.get(diskId);
        if (st != null && st.manifest.sourceLayer().equals(id) && !oldBaseSent.contains(diskId)) {
            return st; // while a resync base is staged, its records go to it, not to the old base of the same id
        }
        return l;
    }

    /** The disk has a resync in progress, which its in-memory state alone knows (it must stay loaded). */
    boolean busy(String diskId) {
        return staged.containsKey(diskId) || oldBaseSent.contains(diskId);
    }

    /**
     * Begins (or begins again) the resync base of {@code s}'s disk in the staging directory; the old chain
     * ({@code layers}) is untouched. A resync the replica's base holds already (a redelivery) is ignored.
     */
    ReplicaStore.Outcome stage(StartOfLayer s, Map<UUID, ReplicaLayer> layers) throws IOException, ReplicaStore.RejectedException {
        UUID id = Uuids.toUuid(s.getLayerUniqueId());
        if (s.getLayerIndex() != 0 || s.getParentUniqueId() != null) {
            throw new ReplicaStore.RejectedException("disk " + s.getDiskId() + ": a resync StartOfLayer for layer "
                    + s.getLayerIndex() + " with a parent: only a base can be sent as a resync");
        }
        Resync r = s.getResync();
        int level = r.getLevel();
        oldBaseSent.remove(s.getDiskId());
        ReplicaLayer st = staged.get(s.getDiskId());
        if (st == null) {
            for (ReplicaLayer l : layers.values()) {
                if (l.sealed() && l.manifest.sourceParent() == null && l.manifest.sourceLayer().equals(id)
                        && ReplicaChain.baseLevel(layers, l) >= level) {
                    return ReplicaStore.Outcome.IGNORED_SEALED; // a redelivered resync: the replica's base holds it (or newer) already
                }
            }
        } else {
            // dropped: the base is sent again from its start
            writers.close(st);
            staged.remove(s.getDiskId());
            states.forgotten(st);
        }
        long blockSize = ReplicaStore.baseBlockSize(s.getBlockSize());
        Path diskDir = dir.resolve(NameEncoding.diskDir(s.getDiskId()));
        Path stageDir = diskDir.resolve(ReplicaStore.RESYNC_DIR);
        Directories.deleteTree(stageDir); // what a resync begun before left
        Directories.createDirectories(stageDir);
        Directories.fsync(diskDir);
        Path vhd = stageDir.resolve(ReplicaNames.stem(0, s.getSnapshotId(), id) + ".vhd");
        VhdCreator.dynamic(vhd, s.getVirtualSize(), blockSize);
        UUID replicaId;
        try (VhdImage img = VhdImage.open(vhd, OpenOptions.READ)) {
            replicaId = img.footer().uniqueId();
        }
        LayerManifest m = new LayerManifest(id, null, 0, s.getLayerFile(), s.getVirtualSize(), blockSize,
                vhd.getFileName().toString(), replicaId, LayerManifest.State.WRITING, null, 0, 0, "", "", s.getSnapshotId(), level);
        ReplicaLayer l = new ReplicaLayer(stageDir, m);
        m.write(l.manifestPath());
        states.known(l);
        staged.put(s.getDiskId(), l);
        log.info("disk {}: resync: staging a new replica base at snapshot {} (level {}) in {}; the replica chain stays as it"
                + " is until it is sealed ({})", s.getDiskId(), s.getSnapshotId(), level, vhd, r.getReason());
        return ReplicaStore.Outcome.PREPARED;
    }

    /** The staged base {@code st} was sealed (the commit point): the old chain ({@code layers}) goes, the new base takes its place. */
    void switchIn(String diskId, ReplicaLayer st, Map<UUID, ReplicaLayer> layers) throws IOException {
        for (ReplicaLayer l : layers.values()) {
            writers.close(l);
            states.forgotten(l);
        }
        Path diskDir = st.diskDir.getParent();
        ResyncSwitch.finish(diskDir, st.manifest);
        layers.clear();
        layers.put(st.manifest.sourceLayer(), new ReplicaLayer(diskDir, st.manifest));
        forget(diskId);
        states.resynced();
        log.info("disk {}: resync done: the replica's base holds snapshot {} (level {}); the layers before it were replaced",
                diskId, st.manifest.snapshotId(), st.manifest.baseLevel());
    }

    /**
     * Loads a disk's staging directory: a sealed resync base there (the commit point passed) finishes its switch, one
     * being written is the disk's staged base, anything else is dropped (the StartOfLayer that made it is sent again).
     */
    void load(String diskId, Path diskDir) throws IOException {
        Path stageDir = diskDir.resolve(ReplicaStore.RESYNC_DIR);
        if (!Files.isDirectory(stageDir)) {
            return;
        }
        LayerManifest m = null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(stageDir, "*" + LayerManifest.SUFFIX)) {
            for (Path p : ds) {
                m = LayerManifest.read(p);
            }
        }
        if (m != null && m.state() == LayerManifest.State.SEALED) {
            log.info("{}: finishing the switch to a resynced base, interrupted before", diskDir);
            ResyncSwitch.finish(diskDir, m);
            states.resynced();
        } else if (m != null && Files.exists(stageDir.resolve(m.replicaFile()))) {
            ReplicaLayer l = new ReplicaLayer(stageDir, m);
            staged.put(diskId, l);
            states.known(l);
        } else {
            Directories.deleteTree(stageDir);
        }
    }

    /** Forgets the disk's resync (switched in, or the disk deleted or forgotten). */
    void forget(String diskId) {
        staged.remove(diskId);
        oldBaseSent.remove(diskId);
    }

    void clear() {
        staged.clear();
        oldBaseSent.clear();
    }
}
