package io.vhdstream.topology.disk;

import io.vhdstream.schemas.ContentDigest;
import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.command.CreateDisk;
import io.vhdstream.schemas.command.DeleteDisk;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Snapshot;
import io.vhdstream.schemas.command.Trim;
import io.vhdstream.schemas.command.Write;
import io.vhdstream.schemas.deadletter.ReasonCodes;
import io.vhdstream.schemas.layerdir.LayerDirectoryLines;
import io.vhdstream.schemas.serde.AvroSerde;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.vhd.bat.BlockAllocationTable;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.repair.VhdRepairer;
import org.apache.kafka.common.errors.SerializationException;

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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Applies disk commands to layer directories: the one implementation of the command semantics, used by the
 * Streams processor (through the layer store), by the store's catch-up replay, and by the
 * {@code Rebuilder}. Layout and file formats: docs/layer-directory.md.
 *
 * <h2>Replay converges</h2>
 * Every decision about a command is taken as of its input offset, from offsets recorded in the directory
 * (the disk's creation and deletion offsets, each sealed layer's seal offset), never from "the current
 * state". Applying a command again, or applying an old command over newer state, therefore decides the
 * same way as the first time, and reports the same {@link Outcome}:
 * <ul>
 * <li>CreateDisk at the recorded creation offset: skipped. DeleteDisk at the recorded deletion offset:
 * reported again (same event), files removed if still there.</li>
 * <li>Snapshot whose id sealed a layer at this same offset: reported again from the {@code sealed} line,
 * no file touched. The same id at another offset: {@code DUPLICATE_SNAPSHOT}.</li>
 * <li>Write/Trim at or below the seal offset of the latest sealed layer: it belongs to a sealed layer and is
 * skipped. Write/Trim the caller says are durable already ({@code effectsDurable}): skipped. Otherwise
 * re-applied to the active layer, which is idempotent when the commands after it are re-applied in order
 * too (the store guarantees that: it replays from its committed offset).</li>
 * <li>Trim of the base layer zeroes only sectors the layer holds, so whether a block was allocated by a
 * later write does not change which sectors a replay makes present.</li>
 * </ul>
 *
 * <h2>Durability order</h2>
 * A new layer is created under a hidden temporary name, stamped with its deterministic identity
 * ({@link LayerIdentity}), fsynced and renamed into place. Sealing syncs the layer, then appends and fsyncs its
 * {@code sealed} line; only then is the next layer created. The {@code state} file is replaced atomically
 * after {@code base.vhd} exists, and again (tombstone) before any layer file is removed. {@link #sync()}
 * fsyncs active layers; the store records input offsets only after it.
 *
 * <h2>Writes in the background</h2>
 * Write data goes to the layer through a {@link LayerWriter} thread (validation and every decision stay on
 * the caller's thread); every other command, {@link #sync()} and closing wait for the queued writes first.
 * A failed background write fails the next call; nothing it lost is below a recorded offset.
 *
 * <p>Not thread-safe: one instance per Streams task (or per rebuild).
 */
public final class DiskLayers implements Closeable {
    /** Callback for the single outcome of each record. */
    @FunctionalInterface
    public interface OutcomeSink {
        void accept(Outcome outcome) throws IOException;
    }

    public static final OutcomeSink DISCARD = o -> { };
    /** Chains are read with at most this many layers (ChainOptions' default), so a disk may have at most this many. */
    public static final int MAX_LAYERS = ChainOptions.DEFAULT_MAX_DEPTH;
    private static final int DIGEST_CHUNK = 1 << 20;
    /** Closed disks kept loaded beyond the open ones: loading one again reads two small files. */
    static final int CACHED_DISKS = 1024;
    private static final java.util.concurrent.atomic.AtomicInteger WRITERS = new java.util.concurrent.atomic.AtomicInteger();

    private final Function<String, Path> dirOf;
    private final int maxOpen;
    private final AvroSerde<DiskCommand> serde = AvroSerdes.diskCommand();
    private final Retention retention;
    /** Disks that exist, least recently used first; bounded (see {@link #CACHED_DISKS}), never holding absent ids. */
    private final LinkedHashMap<String, Disk> disks = new LinkedHashMap<>(16, 0.75f, true);
    /** Disks with an open active layer, least recently used first. */
    private final LinkedHashMap<String, Disk> open = new LinkedHashMap<>(16, 0.75f, true);
    private final LayerWriter writer;
    /** The marks of the checkpoint this directory is recovered from (see {@link LayerMarks}), taken at each disk's first load. */
    private LayerMarks recoveredMarks = LayerMarks.none();
    /** Disks loaded since {@link #recoverFrom}: their active layer was cut back then, later loads find it synced. */
    private final java.util.Set<String> settled = new java.util.HashSet<>();
    private String stopDisk;
    private String stopSnapshot;

    /**
     * @param dirOf   the directory of a disk (created on CreateDisk)
     * @param maxOpen most active layers kept open at once; the least recently used is synced and closed
     */
    public DiskLayers(Function<String, Path> dirOf, int maxOpen) {
        this(dirOf, maxOpen, Retention.DEFAULT);
    }

    /**
     * @param retention the snapshots each disk keeps; older layers are merged into its base when a seal passes it
     */
    public DiskLayers(Function<String, Path> dirOf, int maxOpen, Retention retention) {
        if (maxOpen < 1) {
            throw new IllegalArgumentException("maxOpen must be at least 1");
        }
        this.dirOf = dirOf;
        this.maxOpen = maxOpen;
        this.retention = retention;
        this.writer = new LayerWriter("vhdstream-layer-writer-" + WRITERS.incrementAndGet());
    }

    /** Disks in {@code <layersDir>/<percent-encoded disk id>}. */
    public static DiskLayers under(Path layersDir, int maxOpen) {
        return under(layersDir, maxOpen, Retention.DEFAULT);
    }

    /** Disks in {@code <layersDir>/<percent-encoded disk id>}, keeping {@code retention}. */
    public static DiskLayers under(Path layersDir, int maxOpen, Retention retention) {
        return new DiskLayers(id -> layersDir.resolve(LayerNames.diskDir(id)), maxOpen, retention);
    }

    /**
     * Reports the byte count of each Write's data once it is in its layer file (called on the layer writer's
     * thread; Writes are applied asynchronously, so this is when they have really reached the file).
     */
    public void onDataWritten(java.util.function.LongConsumer listener) {
        writer.onWritten(listener);
    }

    /**
     * For a rebuild that ends at a snapshot: sealing that snapshot of that disk does not create the next
     * layer, so the sealed layer stays the top of the chain.
     */
    public void stopAfter(String diskId, String snapshotId) {
        this.stopDisk = diskId;
        this.stopSnapshot = snapshotId;
    }

    /**
     * Decodes and applies one input record. Undecodable values, keys that are not the command's disk id and
     * invalid disk ids are rejected here, so every caller rejects the same records.
     *
     * @param effectsDurable the caller knows this record's file effects are already durable in the layers
     *                       (its offset is below the store's committed offset): Write and Trim are skipped,
     *                       everything else is decided and reported as usual
     */
    public void applyRecord(byte[] key, byte[] value, Position pos, boolean effectsDurable, OutcomeSink out)
            throws IOException {
        if (value == null) {
            out.accept(new Outcome.Rejected(null, ReasonCodes.UNDECODABLE, "the record has no value"));
            return;
        }
        DiskCommand cmd = WriteDecoder.decode(value);
        if (cmd == null) {
            try {
                cmd = serde.deserialize(pos.topic(), value);
            } catch (SerializationException e) {
                out.accept(new Outcome.Rejected(null, ReasonCodes.UNDECODABLE, e.getMessage()));
                return;
            }
        }
        String id = cmd.getDiskId();
        if (key == null || !Arrays.equals(key, id.getBytes(StandardCharsets.UTF_8))) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.KEY_MISMATCH, key == null
                    ? "the record has no key; it must be the disk id '" + id + "'"
                    : "the record key '" + new String(key, StandardCharsets.UTF_8) + "' is not the disk id '" + id + "'"));
            return;
        }
        String idProblem = LayerNames.diskIdProblem(id);
        if (idProblem != null) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.INVALID_ID, idProblem));
            return;
        }
        apply(cmd, pos, effectsDurable, out);
    }

    /** Applies a decoded command whose disk id is valid (see {@link #applyRecord}). */
    public void apply(DiskCommand cmd, Position pos, boolean effectsDurable, OutcomeSink out) throws IOException {
        String id = cmd.getDiskId();
        Object p = cmd.getPayload();
        if (!(p instanceof Write)) {
            writer.drain();   // everything but a plain write looks at or closes images: let queued writes land first
        }
        DiskState known = disk(id).state;
        if (known != null && known.partition() != pos.partition()) {
            // Two tasks must never write one disk directory: a producer with another partitioner sent this disk's
            // commands to two partitions. The disk stays with the partition that created it.
            out.accept(new Outcome.Rejected(id, ReasonCodes.KEY_MISMATCH, "disk '" + id + "' belongs to partition "
                    + known.partition() + " but this command came from partition " + pos.partition()
                    + " (commands must be keyed by disk id with the default partitioner)"));
            return;
        }
        if (p instanceof CreateDisk c) {
            create(id, c, pos, out);
        } else if (p instanceof Write w) {
            write(id, w, pos, effectsDurable, out);
        } else if (p instanceof Trim t) {
            trim(id, t, pos, effectsDurable, out);
        } else if (p instanceof Snapshot s) {
            snapshot(id, s, pos, out);
        } else if (p instanceof DeleteDisk d) {
            delete(id, d, pos, out);
        } else {
            out.accept(new Outcome.Rejected(id, ReasonCodes.UNDECODABLE, "unknown command type "
                    + (p == null ? "null" : p.getClass().getName())));
        }
    }

    // ---------------------------------------------------------------------------------------------- commands

    private void create(String id, CreateDisk c, Position pos, OutcomeSink out) throws IOException {
        long size = c.getVirtualSize();
        if (size <= 0 || size % Limits.SECTOR != 0 || size > Limits.MAX_VIRTUAL_SIZE) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.INVALID_SIZE, "virtualSize " + size
                    + " is not a positive multiple of " + Limits.SECTOR + " of at most " + Limits.MAX_VIRTUAL_SIZE));
            return;
        }
        String bsProblem = blockSizeProblem(size, c.getBlockSize());
        if (bsProblem != null) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.INVALID_BLOCK_SIZE, bsProblem));
            return;
        }
        Disk d = disk(id);
        if (d.state != null) {
            long created = d.state.createdOffset();
            if (created == pos.offset()) {
                out.accept(new Outcome.Skipped(id, "CreateDisk", "already created by this command"));
            } else if (created < pos.offset()) {
                if (d.state.deleted() && d.state.deletedOffset() < pos.offset()) {
                    out.accept(new Outcome.Rejected(id, ReasonCodes.DELETED_DISK, "disk '" + id + "' was deleted at offset "
                            + d.state.deletedOffset() + "; disk ids are not reused"));
                } else {
                    out.accept(new Outcome.Rejected(id, ReasonCodes.DISK_EXISTS, "disk '" + id
                            + "' already exists (created at offset " + created + ")"));
                }
            } else {
                throw new LayerDirectoryException(d.dir + ": disk created at offset " + created
                        + " although a valid CreateDisk at the earlier offset " + pos.offset()
                        + " was never applied: the directory does not match the input log");
            }
            return;
        }
        FileOps.createDirectories(d.dir);   // durable: a power loss must not take the disk's directory
        clearLeftovers(d.dir);
        d.sealed.clear();
        d.merges.clear();
        d.state = DiskState.created(id, pos, size, c.getBlockSize());
        try {
            createLayer(d, 0);
            d.state.write(d.dir.resolve(LayerNames.STATE));
        } catch (IOException | RuntimeException e) {
            d.state = null;
            throw e;
        }
        cache(d);
        out.accept(new Outcome.Applied(id, "CreateDisk"));
    }

    private void write(String id, Write w, Position pos, boolean durable, OutcomeSink out) throws IOException {
        ByteBuffer data = w.getData();
        int len = data.remaining();
        long offset = w.getOffset();
        if (len > Limits.MAX_WRITE_BYTES) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.WRITE_TOO_LARGE, "write of " + len + " bytes at offset "
                    + offset + " exceeds the limit of " + Limits.MAX_WRITE_BYTES + " bytes"));
            return;
        }
        if (!Limits.isSectorAligned(offset) || len == 0 || len % Limits.SECTOR != 0) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.MISALIGNED, "write at offset " + offset + " of " + len
                    + " bytes: offset and length must be multiples of " + Limits.SECTOR + ", length positive"));
            return;
        }
        Disk d = disk(id);
        if (rejectIfAbsent(d, pos, out) || rejectIfPastEnd(d, "write", offset, len, out)) {
            return;
        }
        String skip = skipReason(d, pos, durable);
        if (skip != null) {
            out.accept(new Outcome.Skipped(id, "Write", skip));
            return;
        }
        writer.write(active(d), offset, data.duplicate());
        d.dirty = true;
        out.accept(new Outcome.Applied(id, "Write"));
    }

    private void trim(String id, Trim t, Position pos, boolean durable, OutcomeSink out) throws IOException {
        long offset = t.getOffset();
        long len = t.getLength();
        if (!Limits.isSectorAligned(offset) || !Limits.isSectorAligned(len) || len == 0) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.MISALIGNED, "trim at offset " + offset + " of " + len
                    + " bytes: offset and length must be multiples of " + Limits.SECTOR + ", length positive"));
            return;
        }
        Disk d = disk(id);
        if (rejectIfAbsent(d, pos, out) || rejectIfPastEnd(d, "trim", offset, len, out)) {
            return;
        }
        String skip = skipReason(d, pos, durable);
        if (skip != null) {
            out.accept(new Outcome.Skipped(id, "Trim", skip));
            return;
        }
        VhdImage img = active(d);
        if (d.sealed.isEmpty()) {
            // The base layer has no parent: absent sectors read as zeros already. Zero only what it holds, so
            // the set of present sectors does not depend on whether a later write allocated the block.
            List<long[]> held = new ArrayList<>();
            img.mapRuns(offset, len, (o, l, fileOffset) -> {
                if (fileOffset >= 0) {
                    held.add(new long[] {o, l});
                }
            });
            for (long[] r : held) {
                img.zero(r[0], r[1]);
            }
        } else {
            img.zero(offset, len);
        }
        d.dirty = true;
        out.accept(new Outcome.Applied(id, "Trim"));
    }

    private void snapshot(String id, Snapshot s, Position pos, OutcomeSink out) throws IOException {
        String snap = s.getSnapshotId();
        String snapProblem = LayerNames.snapshotIdProblem(snap);
        if (snapProblem != null) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.INVALID_ID, snapProblem));
            return;
        }
        Disk d = disk(id);
        if (rejectIfAbsent(d, pos, out)) {
            return;
        }
        for (SealedLayer prior : d.sealed) {
            if (prior.snapshotId().equals(snap)) {
                if (prior.sealOffset() == pos.offset()) {
                    List<MergeRecord> merges = d.mergesDecidedAt(pos.offset());
                    List<Extent> mergedExtents = null;
                    boolean latest = prior.layerIndex() == d.sealed.size() - 1 && !d.state.deleted();
                    if (merges.isEmpty() && latest) {
                        mergedExtents = new ArrayList<>();
                        merges = retain(d, pos, mergedExtents); // a crash came between the seal and its merge decision
                    }
                    if (latest && !(d.id.equals(stopDisk) && snap.equals(stopSnapshot))
                            && !Files.exists(d.dir.resolve(activeName(d)))) {
                        createLayer(d, d.sealed.size()); // ... or between it and the next layer: as the seal leaves it
                    }
                    out.accept(new Outcome.Sealed(d.state, prior, true, merges, mergedExtents));
                } else {
                    out.accept(new Outcome.Rejected(id, ReasonCodes.DUPLICATE_SNAPSHOT, "snapshot '" + snap
                            + "' already sealed layer " + prior.layerIndex() + " (" + prior.fileName() + ") at offset "
                            + prior.sealOffset()));
                }
                return;
            }
        }
        int depth = d.sealed.size() - d.level() + 1;
        if (depth + 1 > MAX_LAYERS) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.APPLY_FAILED, "disk '" + id + "' has " + depth
                    + " layers; another snapshot would make its chain deeper than " + MAX_LAYERS
                    + " layers, the most a chain may have"));
            return;
        }
        if (d.state.deleted()) {
            throw new LayerDirectoryException(d.dir + ": snapshot '" + snap + "' at offset " + pos.offset()
                    + " precedes the disk's deletion but is not in its sealed file");
        }
        seal(d, snap, s.getLabel(), pos, out);
    }

    private void delete(String id, DeleteDisk del, Position pos, OutcomeSink out) throws IOException {
        Disk d = disk(id);
        if (d.state == null || d.state.createdOffset() >= pos.offset()) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.UNKNOWN_DISK, "disk '" + id + "' does not exist"));
            return;
        }
        if (d.state.deleted()) {
            long at = d.state.deletedOffset();
            if (at == pos.offset()) {
                out.accept(new Outcome.Deleted(d.state, true));
                removeLayerFiles(d.dir);
            } else if (at < pos.offset()) {
                out.accept(new Outcome.Rejected(id, ReasonCodes.DELETED_DISK, "disk '" + id + "' was deleted at offset " + at));
            } else {
                throw new LayerDirectoryException(d.dir + ": disk deleted at offset " + at
                        + " although the DeleteDisk at the earlier offset " + pos.offset() + " was never applied");
            }
            return;
        }
        List<String> files = new ArrayList<>();
        for (SealedLayer s : d.sealed) {
            if (s.layerIndex() == 0 || s.layerIndex() > d.level()) {
                files.add(s.fileName());
            }
        }
        String activeName = activeName(d);
        if (Files.exists(d.dir.resolve(activeName))) {
            files.add(activeName);
        }
        closeActive(d);
        DiskState tombstone = d.state.withDeleted(pos.offset(), del.getReason(), files);
        tombstone.write(d.dir.resolve(LayerNames.STATE));
        d.state = tombstone;
        // Reported (and, in the processor, emitted) before the files go.
        out.accept(new Outcome.Deleted(tombstone, false));
        removeLayerFiles(d.dir);
    }

    // ---------------------------------------------------------------------------------------------- checks

    private static String blockSizeProblem(long size, int blockSize) {
        if (blockSize < Limits.SECTOR || Integer.bitCount(blockSize) != 1 || blockSize > (1 << 30)) {
            return "blockSize " + blockSize + " is not a power of two from " + Limits.SECTOR + " bytes to 1 GiB";
        }
        long blocks = (size + blockSize - 1) / blockSize;
        if (blocks > BlockAllocationTable.MAX_ENTRIES_IN_MEMORY) {
            return "blockSize " + blockSize + " gives " + blocks + " blocks for " + size + " bytes, more than "
                    + BlockAllocationTable.MAX_ENTRIES_IN_MEMORY + "; use a larger block size";
        }
        return null;
    }

    private static boolean rejectIfAbsent(Disk d, Position pos, OutcomeSink out) throws IOException {
        if (d.state == null || d.state.createdOffset() >= pos.offset()) {
            out.accept(new Outcome.Rejected(d.id, ReasonCodes.UNKNOWN_DISK, "disk '" + d.id + "' does not exist"));
            return true;
        }
        if (d.state.deleted() && pos.offset() > d.state.deletedOffset()) {
            out.accept(new Outcome.Rejected(d.id, ReasonCodes.DELETED_DISK, "disk '" + d.id + "' was deleted at offset "
                    + d.state.deletedOffset()));
            return true;
        }
        return false;
    }

    private static boolean rejectIfPastEnd(Disk d, String what, long offset, long len, OutcomeSink out) throws IOException {
        long size = d.state.virtualSize();
        if (offset > size || len > size - offset) {
            out.accept(new Outcome.Rejected(d.id, ReasonCodes.WRITE_PAST_END, what + " of " + len + " bytes at offset "
                    + offset + " ends past the disk's end (" + size + " bytes)"));
            return true;
        }
        return false;
    }

    /** Why a valid Write/Trim must not be applied again, or null to apply it. */
    private static String skipReason(Disk d, Position pos, boolean durable) {
        if (d.state.deleted()) {
            return "the disk was deleted later (offset " + d.state.deletedOffset() + ")";
        }
        long sealedUpTo = d.lastSealOffset();
        if (pos.offset() <= sealedUpTo) {
            return "belongs to a sealed layer (sealed at offset " + sealedUpTo + ")";
        }
        if (durable) {
            return "below the store's committed offset";
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------- layers

    private void seal(Disk d, String snap, String label, Position pos, OutcomeSink out) throws IOException {
        int n = d.sealed.size();
        String name = activeName(d);
        VhdImage img = active(d);
        img.sync();
        d.dirty = false;
        ContentDigest digest = new ContentDigest();
        long sectors = 0;
        List<Extent> extents = img.presentExtents();
        ByteBuffer buf = ByteBuffer.allocate(DIGEST_CHUNK);
        for (Extent e : extents) {
            for (long at = e.offset(); at < e.end(); ) {
                int k = (int) Math.min(DIGEST_CHUNK, e.end() - at);
                buf.clear().limit(k);
                img.readPresent(at, buf);
                digest.data(at, buf.array(), 0, k);
                at += k;
            }
            sectors += e.length() / Limits.SECTOR;
        }
        UUID layerId = img.footer().uniqueId();
        // The previous layer in chain order, whether or not a merge has since put its content into the base (and the
        // header names the base): a seal replayed onto a base loaded from the checkpoint records what the first did.
        UUID parentId = n == 0 ? null : d.sealed.get(n - 1).layerUniqueId();
        long fileSize = img.file().size();
        long from = n == 0 ? d.state.createdOffset() : d.sealed.get(n - 1).sealOffset() + 1;
        String sealedName = LayerNames.sealedFile(n, snap);
        SealedLayer s = new SealedLayer(n, sealedName, snap, pos.offset(), from, pos.timestamp(), layerId, parentId,
                sectors, fileSize, digest.finish(), label);
        closeActive(d);
        if (!sealedName.equals(name)) {
            // Renamed before its sealed line: a crash in between leaves NNNN@x.vhd unsealed, renamed back on load.
            // It has no child yet, so no parent locator names the old name.
            FileOps.moveIntoPlace(d.dir.resolve(name), d.dir.resolve(sealedName));
        }
        FileOps.appendDurably(d.dir.resolve(LayerNames.SEALED), s.toLine().getBytes(StandardCharsets.UTF_8));
        d.sealed.add(s);
        List<Extent> mergedExtents = new ArrayList<>();
        List<MergeRecord> merges = retain(d, pos, mergedExtents);
        boolean stop = d.id.equals(stopDisk) && snap.equals(stopSnapshot);
        if (!stop) {
            createLayer(d, n + 1);
        }
        out.accept(new Outcome.Sealed(d.state, s, false, merges, mergedExtents));
    }

    /**
     * Decides, as of the seal at {@code pos}, whether the disk is past its retention, and merges the oldest
     * layers into the base if so: the decision is journaled in {@code merged} (fsynced) before any file changes.
     * What the merge writes into the base is added to {@code mergedExtents}.
     */
    private List<MergeRecord> retain(Disk d, Position pos, List<Extent> mergedExtents) throws IOException {
        int level = d.level();
        int target = retention.baseLevel(d.sealed, level);
        if (target == level) {
            return List.of();
        }
        MergeRecord m = new MergeRecord(pos.offset(), level + 1, target);
        FileOps.appendDurably(d.dir.resolve(MergeRecord.FILE), m.toLine().getBytes(StandardCharsets.UTF_8));
        d.merges.add(m);
        mergedExtents.addAll(LayerMerger.run(d.dir, d.sealed, m, activeName(d)));
        return List.of(m);
    }

    /** The active layer, opened (and created, if a crash or a rebuild left it out) on demand. */
    private VhdImage active(Disk d) throws IOException {
        if (d.active != null) {
            open.get(d.id); // touch: most recently used
            return d.active;
        }
        Path p = d.dir.resolve(activeName(d));
        if (!Files.exists(p)) {
            createLayer(d, d.sealed.size());
        }
        if (open.size() >= maxOpen) {
            writer.drain();
        }
        while (open.size() >= maxOpen) {
            Iterator<Disk> it = open.values().iterator();
            Disk eldest = it.next();
            it.remove();
            closeActive(eldest);
        }
        d.active = VhdImage.open(p, OpenOptions.WRITE);
        open.put(d.id, d);
        return d.active;
    }

    private static String activeName(Disk d) {
        return LayerNames.activeFile(d.sealed.size());
    }

    private void createLayer(Disk d, int index) throws IOException {
        String name = LayerNames.activeFile(index);
        Path target = d.dir.resolve(name);
        Path tmp = d.dir.resolve(LayerNames.tmp(name));
        Files.deleteIfExists(tmp);
        long openingOffset;
        long openedAt;
        if (index == 0) {
            openingOffset = d.state.createdOffset();
            openedAt = d.state.createdAt();
            VhdCreator.dynamic(tmp, d.state.virtualSize(), d.state.blockSize());
        } else {
            SealedLayer parent = d.sealed.get(index - 1);
            openingOffset = parent.sealOffset();
            openedAt = parent.sealedAt();
            VhdCreator.differencing(tmp, d.dir.resolve(d.chainFile(index - 1)));
        }
        LayerIdentity.stamp(tmp, LayerIdentity.uniqueId(d.state.topic(), d.state.partition(), d.id, index, openingOffset),
                LayerIdentity.vhdTime(openedAt));
        FileOps.moveIntoPlace(tmp, target);
    }

    private void closeActive(Disk d) throws IOException {
        open.remove(d.id);
        VhdImage img = d.active;
        if (img != null) {
            d.active = null;
            try {
                if (d.dirty) {
                    img.sync();
                }
            } finally {
                d.dirty = false;
                img.close();
            }
        }
    }

    private static void clearLeftovers(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (LayerNames.isLayerFile(n) || n.startsWith(".") || n.equals(LayerNames.SEALED) || n.equals(LayerNames.STATE)
                        || n.equals(MergeRecord.FILE)) {
                    Files.delete(p);
                }
            }
        }
        FileOps.fsyncDir(dir);
    }

    private static void removeLayerFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        boolean any = false;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (LayerNames.isLayerFile(n) || LayerNames.isTmp(n)) {
                    Files.delete(p);
                    any = true;
                }
            }
        }
        if (any) {
            FileOps.fsyncDir(dir);
        }
    }

    private static void deleteTmpFiles(Path dir) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (LayerNames.isTmp(p.getFileName().toString())) {
                    Files.delete(p);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- state

    /** The disk, from the cache or its directory; an id without a disk is not cached (any id may be sent). */
    private Disk disk(String id) throws IOException {
        Disk d = disks.get(id);
        if (d == null) {
            d = load(id);
            if (d.state != null) {
                cache(d);
            }
        }
        return d;
    }

    private void cache(Disk d) throws IOException {
        disks.put(d.id, d);
        if (disks.size() > CACHED_DISKS + open.size()) {
            Iterator<Disk> it = disks.values().iterator();
            while (it.hasNext() && disks.size() > CACHED_DISKS + open.size()) {
                Disk e = it.next();
                if (e.active == null) {
                    markEvicted(e);
                    it.remove();
                }
            }
        }
    }

    /**
     * An evicted disk keeps its mark in the next checkpoints (its layer was synced when it was closed): written again
     * after one, a power loss must cut it back to that length, which no later checkpoint would record otherwise.
     */
    private void markEvicted(Disk d) throws IOException {
        if (d.state == null || d.state.deleted()) {
            return;
        }
        Path active = d.dir.resolve(activeName(d));
        recoveredMarks.put(d.id, active.getFileName().toString(), Files.exists(active) ? Files.size(active) : 0);
    }

    /** How many disks are loaded in memory (tests: the cache is bounded). */
    int cachedDisks() {
        return disks.size();
    }

    private Disk load(String id) throws IOException {
        Path dir = dirOf.apply(id);
        Disk d = new Disk(id, dir);
        Path stateFile = dir.resolve(LayerNames.STATE);
        if (!Files.exists(stateFile)) {
            return d;
        }
        DiskState st = DiskState.read(stateFile);
        if (!st.diskId().equals(id)) {
            throw new LayerDirectoryException(stateFile + ": belongs to disk '" + st.diskId() + "', not '" + id + "'");
        }
        d.state = st;
        SealedLayer.cutTornTail(dir.resolve(LayerNames.SEALED));
        d.sealed.addAll(SealedLayer.readAll(dir.resolve(LayerNames.SEALED)));
        SealedLayer.cutTornTail(dir.resolve(MergeRecord.FILE));
        d.merges.addAll(MergeRecord.readAll(dir.resolve(MergeRecord.FILE)));
        if (d.level() >= Math.max(1, d.sealed.size())) {
            throw new LayerDirectoryException(dir + ": " + MergeRecord.FILE + " merges layer " + d.level()
                    + " but only " + d.sealed.size() + " layers are sealed");
        }
        deleteTmpFiles(dir);
        if (st.deleted()) {
            removeLayerFiles(dir);
        } else {
            for (SealedLayer s : d.sealed) {
                if (s.layerIndex() > d.level() && !Files.exists(dir.resolve(s.fileName()))) {
                    throw new LayerDirectoryException(dir + ": sealed layer " + s.fileName() + " is missing");
                }
            }
            if (!Files.exists(dir.resolve(LayerNames.BASE))) {
                throw new LayerDirectoryException(dir + ": " + LayerNames.BASE + " is missing");
            }
            nameActiveLayer(d);
            Path activeFile = dir.resolve(activeName(d));
            boolean first = settled.add(id);
            LayerMarks.Mark mark = first ? recoveredMarks.take(id) : null;
            if (Files.exists(activeFile)) {
                // Blocks allocated after the layer's last sync may be on the disk without their BAT entries (the engine
                // writes those after a barrier), the end footer damaged: cut back so that the replay from the store's
                // offset allocates them where the first run did (docs/crash-safety.md). With the checkpoint's mark, back
                // to its length (an active layer newer than the mark had no block then); else only the tail.
                int n = d.sealed.size();
                long firstWrite = n == 0 ? st.createdOffset() : d.sealed.get(n - 1).sealOffset() + 1;
                if (first && recoveredMarks.offset() >= 0 && firstWrite >= recoveredMarks.offset()) {
                    VhdRepairer.cutBackTo(activeFile, 0);   // every write into it is replayed
                } else if (mark != null && mark.layer().equals(activeName(d))) {
                    VhdRepairer.cutBackTo(activeFile, mark.length());
                } else {
                    VhdRepairer.cutUnreferencedTail(activeFile);
                }
            }
            if (!d.merges.isEmpty()) {
                // The journal's last merge may have been cut short; redoing a finished one only finds its files gone.
                LayerMerger.run(dir, d.sealed, d.merges.get(d.merges.size() - 1), activeName(d));
            }
        }
        return d;
    }

    /**
     * Gives the active layer its name ({@code NNNN.vhd}) if it has another: the old layout's
     * {@code NNNN-<previous snapshot>.vhd}, or {@code NNNN@<snapshot>.vhd} left by a crash between a seal's rename
     * and its sealed line. The active layer has no child, so no locator names it.
     */
    private static void nameActiveLayer(Disk d) throws IOException {
        int n = d.sealed.size();
        if (n == 0) {
            return;
        }
        Path active = d.dir.resolve(LayerNames.activeFile(n));
        if (Files.exists(active)) {
            return;
        }
        Path legacy = d.dir.resolve(LayerNames.legacyFile(n, d.sealed.get(n - 1).snapshotId()));
        if (Files.exists(legacy)) {
            FileOps.moveIntoPlace(legacy, active);
            return;
        }
        String prefix = LayerNames.sealedPrefix(n);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d.dir, p -> p.getFileName().toString().startsWith(prefix)
                && LayerNames.isLayerFile(p.getFileName().toString()))) {
            for (Path p : ds) {
                FileOps.moveIntoPlace(p, active);
                return;
            }
        }
    }

    /** Fsyncs every active layer written since its last sync. */
    public void sync() throws IOException {
        writer.drain();
        for (Disk d : open.values()) {
            if (d.dirty) {
                d.active.sync();
                d.dirty = false;
            }
        }
    }

    /**
     * {@link #sync()}, then the length of the active layer of every loaded disk, for the checkpoint to keep (see
     * {@link LayerMarks}); a closed one was synced when it was closed.
     */
    public LayerMarks syncAndMark() throws IOException {
        sync();
        LayerMarks m = recoveredMarks.untaken();   // disks not loaded since the recovery: still as the crash left them
        for (Disk d : disks.values()) {
            if (d.state == null || d.state.deleted()) {
                m.take(d.id);
                continue;
            }
            // A layer not created yet is marked empty: a power loss after it is made must cut it back to no block.
            Path active = d.dir.resolve(activeName(d));
            m.put(d.id, active.getFileName().toString(), Files.exists(active) ? Files.size(active) : 0);
        }
        return m;
    }

    /**
     * The directory is recovered from a checkpoint that kept {@code marks}: each disk's active layer is cut back to its
     * mark when the disk is first loaded. Call before applying anything.
     */
    public void recoverFrom(LayerMarks marks) {
        this.recoveredMarks = marks;
        settled.clear();
    }

    /** The disk's state as of now, or null if it was never created (loads it from its directory if needed). */
    public DiskState state(String diskId) throws IOException {
        writer.drain();
        return disk(diskId).state;
    }

    /** The disk's sealed layers, base first. */
    public List<SealedLayer> sealedLayers(String diskId) throws IOException {
        writer.drain();
        return List.copyOf(disk(diskId).sealed);
    }

    /** The active layer's file name, the layer created first if a seal (or a crash) left none. */
    public String activeLayer(String diskId) throws IOException {
        writer.drain();
        Disk d = disk(diskId);
        String name = activeName(d);
        if (!Files.exists(d.dir.resolve(name))) {
            createLayer(d, d.sealed.size());
        }
        return name;
    }

    /** Merges decided so far for the disk, oldest first (the {@code merged} file). */
    public List<MergeRecord> merges(String diskId) throws IOException {
        writer.drain();
        return List.copyOf(disk(diskId).merges);
    }

    /** The file that holds layer {@code index} of the disk's chain now: its own, or the base once merged into it. */
    public String chainFile(String diskId, int index) throws IOException {
        return disk(diskId).chainFile(index);
    }

    /** The disk's directory. */
    public Path directory(String diskId) {
        return dirOf.apply(diskId);
    }

    /**
     * Lets queued writes finish, then closes every open layer without syncing (a clean shutdown syncs through
     * {@link #sync()} first).
     */
    @Override
    public void close() throws IOException {
        writer.close();
        IOException first = null;
        for (Disk d : List.copyOf(open.values())) {
            open.remove(d.id);
            if (d.active != null) {
                try {
                    d.active.close();
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
                d.active = null;
            }
        }
        disks.clear();
        if (first != null) {
            throw first;
        }
    }

    private static final class Disk {
        final String id;
        final Path dir;
        DiskState state;
        final List<SealedLayer> sealed = new ArrayList<>();
        final List<MergeRecord> merges = new ArrayList<>();
        VhdImage active;
        boolean dirty;

        Disk(String id, Path dir) {
            this.id = id;
            this.dir = dir;
        }

        /** The layer whose snapshot {@code base.vhd} holds: layers 1..level were merged into it. */
        int level() {
            return LayerDirectoryLines.MergeLine.level(merges);
        }

        String chainFile(int index) {
            return index <= level() ? LayerNames.BASE : sealed.get(index).fileName();
        }

        List<MergeRecord> mergesDecidedAt(long offset) {
            return merges.stream().filter(m -> m.decidedAt() == offset).toList();
        }

        long lastSealOffset() {
            return sealed.isEmpty() ? -1 : sealed.get(sealed.size() - 1).sealOffset();
        }
    }
}
