package io.vhdstream.connector.sink;

import io.vhdstream.schemas.common.NameEncoding;
import io.vhdstream.schemas.LayerDigest;
import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.DiskDeleted;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.block.LayersMerged;
import io.vhdstream.schemas.block.Resync;
import io.vhdstream.schemas.block.SourceError;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.block.ZeroExtent;
import io.vhdstream.schemas.common.Uuid;
import io.vhdstream.schemas.common.Uuids;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.Directories;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The replica directory: one directory per disk (its id encoded as in docs/layer-directory.md), and in it per
 * source layer a differencing VHD on the replica of its parent ({@code NNNN@<snapshot>-<source layer id>.vhd}, see {@link ReplicaNames#stem}; the base
 * a dynamic VHD of the source's size and block size), its {@link LayerManifest} and, while it is written, its
 * {@link RecordLog}.
 *
 * <p>Applying is idempotent: data lands at its offset however often it comes, a record already logged is
 * only compared with the log, a sealed layer ignores everything. A layer is sealed on its EndOfLayer only
 * if every record from 0 to extentCount-1 was applied, the parent replica is sealed, and replaying the log
 * against the replica file reproduces the EndOfLayer's extent count, byte count, records digest and content
 * digest, with no sector present that the records did not write. Otherwise it stays unsealed (state FAILED,
 * with the reason) and the call throws {@link RejectedException}.
 *
 * <p>A {@code LayersMerged} record makes the replica follow the source's retention ({@link ReplicaMerges}): the sealed
 * layers of that chain up to its toLayerIndex fold into the replica's base, their manifests say MERGED (their files
 * are gone), and a layer whose parent was merged is created on the base. The merge is journaled first
 * ({@value #MERGE_JOURNAL}, replaced atomically, removed when done) and redone when the disk is next loaded, so a
 * crash at any point converges.
 *
 * <p>A base sent as a full resync ({@code StartOfLayer.resync}: the source lost the changes of some snapshots to its
 * retention) is written into the staging directory {@value #RESYNC_DIR} of the disk while the old chain stays as it
 * was ({@link ResyncStaging}). Its manifest sealed there (after the same verification as any layer) is the commit
 * point: then every file of the old chain is deleted and the new base moved in, file first, manifest last, and the
 * staging directory removed; a crash after the commit point finishes the switch when the disk is next loaded, one
 * before it leaves the old chain whole. A resync the replica's base already reflects (a redelivery) is ignored.
 * Not thread-safe: one store per sink task.
 */
final class ReplicaStore implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaStore.class);
    private static final int ZERO_WRITE = 1 << 20;
    private static final byte[] NO_SHA = new byte[32];
    /** In a replica disk directory while a merge runs: {@code base=<source id of the base>} and {@code to=<layer index>}. */
    static final String MERGE_JOURNAL = MergeJournal.FILE;
    /**
     * In a replica disk directory once the source announced the disk's deletion ({@code DiskDeleted}): the replica is kept,
     * and says so ({@code offset=<the DeleteDisk's command offset>}, {@code reason=<percent-encoded>}).
     */
    static final String DELETED_MARKER = "deleted-at-source";
    /** In a replica disk directory while a resync base is written: the staging directory of the new base. */
    static final String RESYNC_DIR = "resync.staging";

    /** A record the store refuses; the layer it belongs to is not sealed. */
    static final class RejectedException extends Exception {
        private static final long serialVersionUID = 1L;

        RejectedException(String message) {
            super(message);
        }
    }

    /** What applying a record did. */
    enum Outcome { PREPARED, WRITTEN, REPEATED, SEALED, IGNORED_SEALED, SKIPPED, MERGED, RESYNCED, DELETED }

    private final Path dir;
    /** Disks kept loaded when idle, as the topology keeps closed disks: their manifests load again when needed. */
    static final int MAX_LOADED_DISKS = 1024;
    private final int maxLoaded;
    /** Loaded disks, least recently used first. */
    private final Map<String, Map<UUID, ReplicaLayer>> disks = new LinkedHashMap<>(16, 0.75f, true);
    private final OpenWriters writers;
    private final LayerStates states = new LayerStates();
    private final ResyncStaging staging;
    private final ReplicaMerges merges;

    ReplicaStore(Path dir, int maxOpen) throws IOException {
        this(dir, maxOpen, MAX_LOADED_DISKS);
    }

    /** @param maxLoaded disks kept loaded in memory beyond those being written (evicted least recently used first) */
    ReplicaStore(Path dir, int maxOpen, int maxLoaded) throws IOException {
        this.dir = dir;
        this.writers = new OpenWriters(maxOpen);
        this.maxLoaded = maxLoaded;
        this.staging = new ResyncStaging(dir, writers, states);
        this.merges = new ReplicaMerges(writers, states);
        Directories.createDirectories(dir);
    }

    Outcome apply(BlockEvent event) throws IOException, RejectedException {
        Object p = event.getPayload();
        String diskId = p instanceof SourceError ? null : io.vhdstream.connector.convert.BlockEvents.diskId(event);
        if (diskId != null) {
            String why = NameEncoding.diskIdProblem(diskId);
            if (why != null) {
                throw new RejectedException("a " + p.getClass().getSimpleName() + " record's disk id cannot name a replica"
                        + " directory: " + why);
            }
        }
        if (p instanceof ChangedBlock c) {
            return changed(c);
        } else if (p instanceof ZeroExtent z) {
            return zeros(z);
        } else if (p instanceof StartOfLayer s) {
            return start(s);
        } else if (p instanceof EndOfLayer e) {
            return end(e);
        } else if (p instanceof LayersMerged m) {
            return merged(m);
        } else if (p instanceof DiskDeleted d) {
            return deleted(d);
        } else if (p instanceof SourceError e) {
            log.warn("the source reports {} for {} (disk {}): {}", e.getReasonCode(), e.getPath(), e.getDiskId(), e.getMessage());
            return Outcome.SKIPPED;
        }
        return Outcome.SKIPPED;
    }

    // ---- StartOfLayer: create the replica file

    private Outcome start(StartOfLayer s) throws IOException, RejectedException {
        if (s.getVirtualSize() <= 0 || s.getVirtualSize() > Limits.MAX_VIRTUAL_SIZE || !Limits.isSectorAligned(s.getVirtualSize())
                || s.getLayerIndex() < 0) {
            throw new RejectedException("disk " + s.getDiskId() + ": StartOfLayer of layer " + s.getLayerIndex() + " has size "
                    + s.getVirtualSize() + ": not a whole number of sectors in (0, " + Limits.MAX_VIRTUAL_SIZE + "], or a negative index");
        }
        UUID id = Uuids.toUuid(s.getLayerUniqueId());
        Map<UUID, ReplicaLayer> layers = disk(s.getDiskId());
        if (s.getResync() != null) {
            return staging.stage(s, layers);
        }
        staging.startedWithout(s.getDiskId(), id);
        ReplicaLayer st = staging.get(s.getDiskId());
        ReplicaLayer l = layers.get(id);
        UUID parentOf = s.getParentUniqueId() == null ? null : Uuids.toUuid(s.getParentUniqueId());
        ReplicaLayer under = parentOf == null ? null : layers.get(parentOf);
        if (l == null && under != null && under.sealed() && under.manifest.sourceParent() == null
                && s.getLayerIndex() <= ReplicaChain.baseLevel(layers, under)) {
            return Outcome.IGNORED_SEALED; // redelivered from before a resync: the base holds this layer's content already
        }
        if (l != null) {
            if (l.done()) {
                return Outcome.IGNORED_SEALED;
            }
            // The layer is being sent again from its start: forget what was logged, keep the data (it is rewritten).
            writers.of(l).clear();
            states.update(l, l.manifest.withState(LayerManifest.State.WRITING, null));
            return Outcome.PREPARED;
        }
        Path diskDir = dir.resolve(NameEncoding.diskDir(s.getDiskId()));
        Directories.createDirectories(diskDir);
        String stem = ReplicaNames.stem(s.getLayerIndex(), s.getSnapshotId(), id);
        Path vhd = diskDir.resolve(stem + ".vhd");
        Files.deleteIfExists(vhd); // left by a crash between creating it and writing its manifest
        Files.deleteIfExists(diskDir.resolve(stem + RecordLog.SUFFIX));
        UUID parentId = s.getParentUniqueId() == null ? null : Uuids.toUuid(s.getParentUniqueId());
        long blockSize = s.getBlockSize();
        if (parentId == null) {
            blockSize = baseBlockSize(blockSize);
            VhdCreator.dynamic(vhd, s.getVirtualSize(), blockSize);
        } else {
            ReplicaLayer parent = layers.get(parentId);
            if (st != null && st.manifest.sourceLayer().equals(parentId)) {
                throw new RejectedException("disk " + s.getDiskId() + ": layer " + s.getLayerIndex() + " (" + id + ") names parent "
                        + parentId + ", the base being resynced, whose records did not all arrive: the replica cannot place it");
            }
            if (parent == null) {
                throw new RejectedException("disk " + s.getDiskId() + ": layer " + s.getLayerIndex() + " (" + id + ") names parent "
                        + parentId + ", which this replica does not have: its records were never received");
            }
            VhdCreator.differencing(vhd, ReplicaChain.holder(layers, parent).vhd());
        }
        UUID replicaId;
        try (VhdImage img = VhdImage.open(vhd, OpenOptions.READ)) {
            replicaId = img.footer().uniqueId();
            if (parentId != null && img.virtualSize() != s.getVirtualSize()) {
                log.warn("disk {}: layer {} has size {}, its replica parent {}", s.getDiskId(), s.getLayerIndex(),
                        s.getVirtualSize(), img.virtualSize());
            }
        }
        LayerManifest m = new LayerManifest(id, parentId, s.getLayerIndex(), s.getLayerFile(), s.getVirtualSize(), blockSize,
                vhd.getFileName().toString(), replicaId, LayerManifest.State.WRITING, null, 0, 0, "", "", s.getSnapshotId(), 0);
        ReplicaLayer l2 = new ReplicaLayer(diskDir, m);
        m.write(l2.manifestPath());
        states.known(l2);
        layers.put(id, l2);
        log.info("disk {}: replicating layer {} ({}) into {}", s.getDiskId(), s.getLayerIndex(), id, vhd);
        return Outcome.PREPARED;
    }

    /** A base replica's block size: the source's, or the default when a VHD cannot have it (a power of two, a sector to 1 GiB). */
    static long baseBlockSize(long sourceBlockSize) {
        if (sourceBlockSize < Limits.SECTOR || Long.bitCount(sourceBlockSize) != 1 || sourceBlockSize > (1 << 30)) {
            return Limits.DEFAULT_BLOCK_SIZE;
        }
        return sourceBlockSize;
    }

    // ---- ChangedBlock and ZeroExtent: write, log

    private Outcome changed(ChangedBlock c) throws IOException, RejectedException {
        ReplicaLayer l = layerFor(c.getDiskId(), c.getLayerUniqueId(), c.getLayerIndex());
        if (l == null || l.done()) {
            return Outcome.IGNORED_SEALED;
        }
        ByteBuffer data = c.getData();
        byte[] sha = c.getSha256().bytes();
        if (data.remaining() != c.getLength()) {
            throw fail(l, "record " + c.getExtentIndex() + " says length " + c.getLength() + " but carries " + data.remaining() + " bytes");
        }
        if (!Arrays.equals(LayerDigest.sha256(data), sha)) {
            throw fail(l, "record " + c.getExtentIndex() + " at offset " + c.getOffset() + ": its data does not match its SHA-256");
        }
        checkRange(l, c.getExtentIndex(), c.getOffset(), c.getLength());
        RecordLog.Entry e = new RecordLog.Entry(c.getExtentIndex(), c.getOffset(), c.getLength(), LayerDigest.CHANGED_BLOCK, sha);
        RecordLog rl = writers.of(l);
        boolean repeat = check(l, rl, e);
        l.image.write(c.getOffset(), data.duplicate());
        if (!repeat) {
            rl.append(e);
        }
        return repeat ? Outcome.REPEATED : Outcome.WRITTEN;
    }

    private Outcome zeros(ZeroExtent z) throws IOException, RejectedException {
        ReplicaLayer l = layerFor(z.getDiskId(), z.getLayerUniqueId(), z.getLayerIndex());
        if (l == null || l.done()) {
            return Outcome.IGNORED_SEALED;
        }
        checkRange(l, z.getExtentIndex(), z.getOffset(), z.getLength());
        RecordLog.Entry e = new RecordLog.Entry(z.getExtentIndex(), z.getOffset(), z.getLength(), LayerDigest.ZERO_EXTENT, NO_SHA);
        RecordLog rl = writers.of(l);
        boolean repeat = check(l, rl, e);
        // Written as data, not VhdImage.zero: the sectors must be present in the replica layer as in the source.
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_WRITE, z.getLength()));
        for (long done = 0; done < z.getLength(); ) {
            int n = (int) Math.min(zeros.capacity(), z.getLength() - done);
            zeros.clear().limit(n);
            l.image.write(z.getOffset() + done, zeros);
            done += n;
        }
        if (!repeat) {
            rl.append(e);
        }
        return repeat ? Outcome.REPEATED : Outcome.WRITTEN;
    }

    private void checkRange(ReplicaLayer l, long extentIndex, long offset, long length) throws IOException, RejectedException {
        if (!Limits.isSectorAligned(offset) || !Limits.isSectorAligned(length) || length <= 0
                || offset + length > l.manifest.virtualSize() || offset + length < offset) {
            throw fail(l, "record " + extentIndex + " has range [" + offset + ", +" + length + "), not sector-aligned inside "
                    + l.manifest.virtualSize() + " bytes");
        }
    }

    /** @return true if the record was applied before (same entry logged); throws on a gap or a conflict */
    private boolean check(ReplicaLayer l, RecordLog rl, RecordLog.Entry e) throws IOException, RejectedException {
        long expected = rl.count();
        if (e.extentIndex() == expected) {
            return false;
        }
        if (e.extentIndex() > expected) {
            throw fail(l, "record " + e.extentIndex() + " arrived but the replica has records up to " + (expected - 1)
                    + " only: records are missing");
        }
        RecordLog.Entry logged = rl.get(e.extentIndex());
        if (!logged.sameAs(e)) {
            throw fail(l, "record " + e + " differs from the one applied before, " + logged);
        }
        return true;
    }

    // ---- EndOfLayer: verify, seal

    private Outcome end(EndOfLayer e) throws IOException, RejectedException {
        ReplicaLayer l = layerFor(e.getDiskId(), e.getLayerUniqueId(), e.getLayerIndex());
        if (l == null || l.done()) {
            return Outcome.IGNORED_SEALED;
        }
        if (l.manifest.sourceParent() != null) {
            ReplicaLayer parent = disk(e.getDiskId()).get(l.manifest.sourceParent());
            if (parent == null || !parent.done()) {
                throw fail(l, "its parent layer " + l.manifest.sourceParent() + " is not sealed in the replica");
            }
        }
        RecordLog rl = writers.of(l);
        LayerDigest.Summary sum;
        try {
            sum = ReplicaVerifier.verify(l.image, rl, e);
        } catch (ReplicaVerifier.Mismatch m) {
            throw fail(l, m.getMessage());
        }
        writers.close(l);
        HexFormat hex = HexFormat.of();
        // Sealed first, the log dropped after: a failure between the two leaves a sealed layer with a stale log
        // (dropped when the disk is next loaded), never a WRITING layer whose records are forgotten.
        states.update(l, l.manifest.sealed(sum.extentCount(), sum.bytes(), hex.formatHex(sum.recordsSha256()),
                hex.formatHex(sum.contentSha256())));
        Files.deleteIfExists(l.logPath());
        log.info("disk {}: sealed replica of layer {} ({}): {} records, {} bytes", e.getDiskId(), e.getLayerIndex(),
                l.manifest.sourceLayer(), sum.extentCount(), sum.bytes());
        if (staging.get(e.getDiskId()) == l) {
            staging.switchIn(e.getDiskId(), l, disks.get(e.getDiskId()));
            return Outcome.RESYNCED;
        }
        return Outcome.SEALED;
    }

    // ---- LayersMerged: the source's retention, applied to the replica chain

    private Outcome merged(LayersMerged m) throws IOException, RejectedException {
        Map<UUID, ReplicaLayer> layers = disk(m.getDiskId());
        UUID baseId = Uuids.toUuid(m.getBaseUniqueId());
        ReplicaLayer base = layers.get(baseId);
        if (base == null || !base.sealed() || base.manifest.sourceParent() != null) {
            forgetIfUnknown(m.getDiskId());
            throw new RejectedException("disk " + m.getDiskId() + ": the source merged layers " + m.getFromLayerIndex() + ".."
                    + m.getToLayerIndex() + " into base " + baseId + ", which this replica does not have sealed");
        }
        List<ReplicaLayer> range = merges.merge(layers, base, m.getToLayerIndex(), m.getSnapshotId());
        if (range.isEmpty()) {
            return Outcome.REPEATED;
        }
        log.info("disk {}: merged replica layers {}..{} into the base (the source's retention): it holds snapshot {}",
                m.getDiskId(), range.get(0).manifest.layerIndex(), m.getToLayerIndex(), m.getSnapshotId());
        return Outcome.MERGED;
    }

    // ---- DiskDeleted: the source's disk is gone; its replica stays

    /**
     * The disk was deleted at the source. A replica is a backup, so what it verified stays: its sealed (and merged) layers
     * and FAILED ones (the operator's evidence) keep their files and manifests, and the marker {@value #DELETED_MARKER}
     * says the disk was deleted at the source. What can never be completed goes: layers still being written and a staged
     * resync base (no snapshot of the source reads as them). Then the store forgets the disk. The marker is written first
     * and every step is idempotent, so a crash anywhere is finished by the DiskDeleted delivered again.
     */
    private Outcome deleted(DiskDeleted del) throws IOException {
        String diskId = del.getDiskId();
        Path diskDir = dir.resolve(NameEncoding.diskDir(diskId));
        if (!Files.isDirectory(diskDir)) {
            disks.remove(diskId);
            return Outcome.SKIPPED; // nothing of the disk was ever replicated
        }
        Map<UUID, ReplicaLayer> layers = disk(diskId); // finishes a merge or a resync switch a crash interrupted
        LayerManifest.atomicWrite(diskDir.resolve(DELETED_MARKER), ("offset=" + del.getCommandOffset() + "\nreason="
                + (del.getReason() == null ? "" : NameEncoding.encode(del.getReason())) + "\n").getBytes(StandardCharsets.UTF_8));
        List<ReplicaLayer> all = new ArrayList<>(layers.values());
        ReplicaLayer st = staging.get(diskId);
        if (st != null) {
            all.add(st);
        }
        int dropped = 0;
        for (ReplicaLayer l : all) {
            writers.close(l);
            if (l.manifest.state() == LayerManifest.State.WRITING) {
                Files.deleteIfExists(l.vhd());
                Files.deleteIfExists(l.logPath());
                Files.deleteIfExists(l.manifestPath()); // last: the layer stays known until its other files are gone
                states.forgotten(l);
                dropped++;
            }
        }
        Directories.deleteTree(diskDir.resolve(RESYNC_DIR));
        Directories.fsync(diskDir);
        disks.remove(diskId);
        staging.forget(diskId);
        log.info("disk {} was deleted at the source (command offset {}{}): its replica is kept in {}{}", diskId,
                del.getCommandOffset(), del.getReason() == null ? "" : ", reason: " + del.getReason(), diskDir,
                dropped == 0 ? "" : "; " + dropped + " layer(s) the source never completed removed");
        return Outcome.DELETED;
    }

    private RejectedException fail(ReplicaLayer l, String why) throws IOException {
        String msg = "disk directory " + l.diskDir.getFileName() + ", layer " + l.manifest.layerIndex() + " ("
                + l.manifest.sourceLayer() + "): " + why + "; the layer is not sealed";
        states.update(l, l.manifest.withState(LayerManifest.State.FAILED, why));
        return new RejectedException(msg);
    }

    // ---- layers, writers

    /** @return null for a layer a resynced base holds already (its records are ignored) */
    private ReplicaLayer layerFor(String diskId, Uuid layerId, int index) throws IOException, RejectedException {
        UUID id = Uuids.toUuid(layerId);
        ReplicaLayer l = staging.route(diskId, id, disk(diskId).get(id));
        if (l == null && index > 0 && index <= ReplicaChain.highestBaseLevel(disk(diskId))) {
            return null; // its StartOfLayer was ignored: a layer the resynced base holds already
        }
        if (l == null) {
            forgetIfUnknown(diskId);
            throw new RejectedException("disk " + diskId + ": a record of layer " + index + " (" + id
                    + ") arrived before its StartOfLayer: the replica cannot place it");
        }
        return l;
    }

    /**
     * Drops the empty entry a rejected record of a disk this replica does not have made: records for ids that do
     * not exist must not grow the map for as long as the task runs (issue 9.7).
     */
    private void forgetIfUnknown(String diskId) {
        Map<UUID, ReplicaLayer> layers = disks.get(diskId);
        if (layers != null && layers.isEmpty() && staging.get(diskId) == null) {
            disks.remove(diskId);
        }
    }

    /** How many disks the store keeps in memory (tests: bounded by the disks it has). */
    int knownDisks() {
        return disks.size();
    }

    private Map<UUID, ReplicaLayer> disk(String diskId) throws IOException {
        Map<UUID, ReplicaLayer> layers = disks.get(diskId);
        if (layers != null) {
            return layers;
        }
        layers = new HashMap<>();
        Path diskDir = dir.resolve(NameEncoding.diskDir(diskId));
        if (Files.isDirectory(diskDir)) {
            staging.load(diskId, diskDir); // first: a switch it finishes deletes the old chain's manifests
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(diskDir, "*" + LayerManifest.SUFFIX)) {
                for (Path m : ds) {
                    LayerManifest lm = LayerManifest.read(m);
                    ReplicaLayer l = new ReplicaLayer(diskDir, lm);
                    layers.put(lm.sourceLayer(), l);
                    states.known(l);
                    if (l.done()) {
                        Files.deleteIfExists(l.logPath()); // left by a failure between sealing and dropping it
                    }
                }
            }
            merges.redo(diskDir, layers);
        }
        disks.put(diskId, layers);
        evictIdle();
        return layers;
    }

    /**
     * Keeps at most {@code maxLoaded} disks loaded (issue 9.7: a replica of many disks, or of disks whose source vanished
     * without a DiskDeleted, must not hold them all for as long as the task runs): the least recently used ones with no
     * writer open and no resync staged are forgotten; their manifests say everything, and load again when a record
     * comes. The disk just loaded is the most recent, never evicted.
     */
    private void evictIdle() {
        if (disks.size() <= maxLoaded) {
            return;
        }
        for (java.util.Iterator<Map.Entry<String, Map<UUID, ReplicaLayer>>> it = disks.entrySet().iterator();
             it.hasNext() && disks.size() > maxLoaded; ) {
            Map.Entry<String, Map<UUID, ReplicaLayer>> e = it.next();
            if (staging.busy(e.getKey()) || e.getValue().values().stream().anyMatch(l -> l.image != null)) {
                continue;
            }
            e.getValue().values().forEach(states::forgotten); // counted again when the disk loads again
            it.remove();
        }
    }

    long layersFailed() {
        return states.failed();
    }

    /** Resync bases switched in since start (including switches a crash interrupted, finished on load). */
    long resyncs() {
        return states.resyncs();
    }

    long layersOpen() {
        return states.open();
    }

    /** Makes everything applied so far durable: called before the sink's consumer offsets are committed. */
    void flush() throws IOException {
        writers.syncAll();
    }

    /** Closes writers and forgets cached state (partitions were revoked; another task may own them now). */
    void release() throws IOException {
        try {
            writers.closeAll();
        } finally {
            forgetAll();
        }
    }

    /**
     * Forgets everything cached, after an I/O error left unknown how much of the last record reached the files:
     * writers are closed without a sync, and the next record loads its disk from the manifests, record logs and
     * merge journal, as after a restart.
     */
    void reset() {
        writers.abandonAll();
        forgetAll();
    }

    private void forgetAll() {
        disks.clear();
        staging.clear();
        states.forgetAll(); // counted again as disks are loaded again
    }

    /** For tests and tools: the replica file of each sealed layer of a disk, in layer order. */
    List<Path> sealedLayers(String diskId) throws IOException {
        List<ReplicaLayer> ls = new ArrayList<>(disk(diskId).values());
        ls.sort((a, b) -> Integer.compare(a.manifest.layerIndex(), b.manifest.layerIndex()));
        List<Path> out = new ArrayList<>();
        for (ReplicaLayer l : ls) {
            if (l.sealed()) {
                out.add(l.vhd());
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        release();
    }
}
