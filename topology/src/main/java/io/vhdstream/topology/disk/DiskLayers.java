package io.vhdstream.topology.disk;

import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.command.CreateDisk;
import io.vhdstream.schemas.command.DeleteDisk;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Snapshot;
import io.vhdstream.schemas.command.Trim;
import io.vhdstream.schemas.command.Write;
import io.vhdstream.schemas.deadletter.ReasonCodes;
import io.vhdstream.schemas.serde.AvroSerde;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.VhdImage;
import org.apache.kafka.common.errors.SerializationException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * <h2>Parts</h2>
 * This class decides; its parts hold the rest: {@link DiskCache} (the disks in memory, loaded by {@link DiskLoader}),
 * {@link ActiveLayers} (the open active layers and their writer), {@link LayerFiles} (making and removing layer files),
 * {@link LayerSeal} and {@link RetentionMerges} (a seal and the merges it decides), {@link RecoveryMarks} (the
 * checkpoint's marks), {@link CommandChecks} (rejections) and {@link Disk} (one disk's facts).
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

    private final Function<String, Path> dirOf;
    private final AvroSerde<DiskCommand> serde = AvroSerdes.diskCommand();
    private final RetentionMerges merges;
    private final ActiveLayers active;
    private final RecoveryMarks marks = new RecoveryMarks();
    private final DiskCache disks;
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
        this.active = new ActiveLayers(maxOpen);
        this.dirOf = dirOf;
        this.merges = new RetentionMerges(retention);
        this.disks = new DiskCache(dirOf, marks, active);
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
        active.onWritten(listener);
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
            active.drain();   // everything but a plain write looks at or closes images: let queued writes land first
        }
        DiskState known = disks.get(id).state;
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
        String bsProblem = CommandChecks.blockSizeProblem(size, c.getBlockSize());
        if (bsProblem != null) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.INVALID_BLOCK_SIZE, bsProblem));
            return;
        }
        Disk d = disks.get(id);
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
        LayerFiles.clearLeftovers(d.dir);
        d.sealed.clear();
        d.merges.clear();
        d.state = DiskState.created(id, pos, size, c.getBlockSize());
        try {
            LayerFiles.create(d, 0);
            d.state.write(d.dir.resolve(LayerNames.STATE));
        } catch (IOException | RuntimeException e) {
            d.state = null;
            throw e;
        }
        disks.put(d);
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
        Disk d = disks.get(id);
        if (CommandChecks.rejectIfAbsent(d, pos, out) || CommandChecks.rejectIfPastEnd(d, "write", offset, len, out)) {
            return;
        }
        String skip = CommandChecks.skipReason(d, pos, durable);
        if (skip != null) {
            out.accept(new Outcome.Skipped(id, "Write", skip));
            return;
        }
        active.write(d, offset, data.duplicate());
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
        Disk d = disks.get(id);
        if (CommandChecks.rejectIfAbsent(d, pos, out) || CommandChecks.rejectIfPastEnd(d, "trim", offset, len, out)) {
            return;
        }
        String skip = CommandChecks.skipReason(d, pos, durable);
        if (skip != null) {
            out.accept(new Outcome.Skipped(id, "Trim", skip));
            return;
        }
        VhdImage img = active.image(d);
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
        Disk d = disks.get(id);
        if (CommandChecks.rejectIfAbsent(d, pos, out)) {
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
                        merges = this.merges.afterSeal(d, pos, mergedExtents); // a crash came between the seal and its merge decision
                    }
                    if (latest && !stopsAt(d, snap) && !Files.exists(d.activeFile())) {
                        LayerFiles.create(d, d.sealed.size()); // ... or between it and the next layer: as the seal leaves it
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
        Disk d = disks.get(id);
        if (d.state == null || d.state.createdOffset() >= pos.offset()) {
            out.accept(new Outcome.Rejected(id, ReasonCodes.UNKNOWN_DISK, "disk '" + id + "' does not exist"));
            return;
        }
        if (d.state.deleted()) {
            long at = d.state.deletedOffset();
            if (at == pos.offset()) {
                out.accept(new Outcome.Deleted(d.state, true));
                LayerFiles.removeLayerFiles(d.dir);
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
        if (Files.exists(d.activeFile())) {
            files.add(d.activeName());
        }
        active.close(d);
        DiskState tombstone = d.state.withDeleted(pos.offset(), del.getReason(), files);
        tombstone.write(d.dir.resolve(LayerNames.STATE));
        d.state = tombstone;
        // Reported (and, in the processor, emitted) before the files go.
        out.accept(new Outcome.Deleted(tombstone, false));
        LayerFiles.removeLayerFiles(d.dir);
    }


    private boolean stopsAt(Disk d, String snap) {
        return d.id.equals(stopDisk) && snap.equals(stopSnapshot);
    }

    private void seal(Disk d, String snap, String label, Position pos, OutcomeSink out) throws IOException {
        VhdImage img = active.image(d);
        img.sync();
        d.dirty = false;
        SealedLayer s = LayerSeal.describe(d, img, snap, label, pos);
        active.close(d);
        LayerSeal.record(d, s);
        List<Extent> mergedExtents = new ArrayList<>();
        List<MergeRecord> decided = merges.afterSeal(d, pos, mergedExtents);
        if (!stopsAt(d, snap)) {
            LayerFiles.create(d, d.sealed.size());
        }
        out.accept(new Outcome.Sealed(d.state, s, false, decided, mergedExtents));
    }

    // ---------------------------------------------------------------------------------------------- state

    /** How many disks are loaded in memory (tests: the cache is bounded). */
    int cachedDisks() {
        return disks.size();
    }

    /** Fsyncs every active layer written since its last sync. */
    public void sync() throws IOException {
        active.sync();
    }

    /**
     * {@link #sync()}, then the length of the active layer of every loaded disk, for the checkpoint to keep (see
     * {@link LayerMarks}); a closed one was synced when it was closed.
     */
    public LayerMarks syncAndMark() throws IOException {
        sync();
        return marks.marks(disks.loaded());
    }

    /**
     * The directory is recovered from a checkpoint that kept {@code marks}: each disk's active layer is cut back to its
     * mark when the disk is first loaded. Call before applying anything.
     */
    public void recoverFrom(LayerMarks marks) {
        this.marks.recoverFrom(marks);
    }

    /** The disk's state as of now, or null if it was never created (loads it from its directory if needed). */
    public DiskState state(String diskId) throws IOException {
        active.drain();
        return disks.get(diskId).state;
    }

    /** The disk's sealed layers, base first. */
    public List<SealedLayer> sealedLayers(String diskId) throws IOException {
        active.drain();
        return List.copyOf(disks.get(diskId).sealed);
    }

    /** The active layer's file name, the layer created first if a seal (or a crash) left none. */
    public String activeLayer(String diskId) throws IOException {
        active.drain();
        Disk d = disks.get(diskId);
        if (!Files.exists(d.activeFile())) {
            LayerFiles.create(d, d.sealed.size());
        }
        return d.activeName();
    }

    /** Merges decided so far for the disk, oldest first (the {@code merged} file). */
    public List<MergeRecord> merges(String diskId) throws IOException {
        active.drain();
        return List.copyOf(disks.get(diskId).merges);
    }

    /** The file that holds layer {@code index} of the disk's chain now: its own, or the base once merged into it. */
    public String chainFile(String diskId, int index) throws IOException {
        return disks.get(diskId).chainFile(index);
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
        try {
            active.close();
        } finally {
            disks.clear();
        }
    }
}
