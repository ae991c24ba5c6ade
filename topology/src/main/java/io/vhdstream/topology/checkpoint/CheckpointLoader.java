package io.vhdstream.topology.checkpoint;

import io.vhdstream.schemas.checkpoint.BaseChunk;
import io.vhdstream.schemas.checkpoint.Checkpoint;
import io.vhdstream.schemas.checkpoint.DiskCheckpoint;
import io.vhdstream.schemas.serde.AvroSerde;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.topology.disk.FileOps;
import io.vhdstream.topology.disk.LayerDirectoryException;
import io.vhdstream.topology.disk.LayerIdentity;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.topology.recovery.CheckpointLog;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Puts the disk directories of one input partition back together from the checkpoint topic, into a fresh
 * working directory that is switched into place only when complete: a load killed midway leaves the layer
 * directory's disks as they were or already switched, and no {@code .offsets} file, so the next start loads
 * again from scratch.
 *
 * <p>Per disk, the latest {@link DiskCheckpoint} decides: a deleted disk gets its tombstone {@code state} and
 * {@code sealed} files (later commands stay rejected); a disk whose base was never checkpointed gets nothing
 * (the replay from its CreateDisk makes it); otherwise {@code state}, {@code sealed} and {@code base.vhd} with
 * the base's identity, filled from its chunks. Chunks are applied in offset order: a base only ever gains
 * sectors (a seal fixes it, a merge writes into it), so the last version of each chunk wins.
 */
public final class CheckpointLoader {
    /** Open bases while loading: chunks of many disks interleave, reopening each costs a BAT read. */
    private static final int MAX_OPEN = 32;

    /**
     * What a load did.
     *
     * @param replayFrom the first input offset whose effects the loaded directories do not hold
     * @param bases per disk with a base, the input offset its loaded base reflects
     */
    public record Loaded(long replayFrom, int disks, long chunks, long bytes, Map<String, Long> bases) {
    }

    /** Reports bytes of chunk data applied so far (for progress lines). */
    @FunctionalInterface
    public interface Progress {
        void loaded(long chunks, long bytes);
    }

    private final AvroSerde<Checkpoint> serde = AvroSerdes.checkpoint();
    private final TopicPartition input;
    private final Path layersDir;
    private final Path work;
    private final java.util.function.Predicate<String> disks;
    private final Map<String, DiskCheckpoint> metadata = new LinkedHashMap<>();
    private final LinkedHashMap<String, VhdImage> open = new LinkedHashMap<>(16, 0.75f, true);
    private long chunks;
    private long bytes;

    private CheckpointLoader(TopicPartition input, Path layersDir, java.util.function.Predicate<String> disks) {
        this.input = input;
        this.disks = disks;
        this.layersDir = layersDir;
        this.work = layersDir.resolve("." + LayerNames.encode(input.topic()) + "-" + input.partition() + ".checkpoint.tmp");
    }

    /**
     * Loads the checkpoint of {@code input}'s disks into {@code layersDir}. Returns null (touching nothing) when the
     * checkpoint topic holds no disk of the partition. Throws {@link LayerDirectoryException} for records that
     * contradict each other or this partition.
     */
    public static Loaded load(CheckpointLog log, TopicPartition input, Path layersDir, Progress progress)
            throws IOException {
        return load(log, input, layersDir, progress, id -> true);
    }

    /** The same for the disks {@code disks} accepts only (a rebuild of one disk); records of others are skipped. */
    public static Loaded load(CheckpointLog log, TopicPartition input, Path layersDir, Progress progress,
                              java.util.function.Predicate<String> disks) throws IOException {
        CheckpointLoader l = new CheckpointLoader(input, layersDir, disks);
        try {
            return l.run(log, progress);
        } finally {
            l.closeAll();
        }
    }

    private Loaded run(CheckpointLog log, Progress progress) throws IOException {
        FileOps.deleteTree(work);
        Files.createDirectories(work);
        log.readAll(input.partition(), (key, value, offset) -> {
            accept(key, value, offset);
            progress.loaded(chunks, bytes);
        });
        closeAll();
        if (metadata.isEmpty()) {
            if (hasEntries(work)) {
                throw new LayerDirectoryException("checkpoint of " + input + ": base chunks of disks without metadata");
            }
            FileOps.deleteTree(work);
            return null;
        }
        long replayFrom = Long.MAX_VALUE;
        long lastCommand = -1;
        Map<String, Long> bases = new LinkedHashMap<>();
        for (DiskCheckpoint m : metadata.values()) {
            Path dir = work.resolve(LayerNames.diskDir(m.getDiskId()));
            DiskState state = DiskState.parse(new String(bytes(m.getStateFile()), java.nio.charset.StandardCharsets.UTF_8),
                    dir.resolve(LayerNames.STATE));
            if (!state.diskId().equals(m.getDiskId()) || state.partition() != input.partition()) {
                throw new LayerDirectoryException("checkpoint of " + input + ": the state of disk '" + state.diskId()
                        + "' (partition " + state.partition() + ") under the key of disk '" + m.getDiskId() + "'");
            }
            lastCommand = Math.max(lastCommand, m.getCommandOffset());
            if (state.deleted()) {
                Files.createDirectories(dir);
                Files.deleteIfExists(dir.resolve(LayerNames.BASE));
                writeMetadata(dir, m);
            } else if (m.getSealedFile().remaining() == 0) {
                FileOps.deleteTree(dir);   // never checkpointed: the replay from its CreateDisk makes it
                replayFrom = Math.min(replayFrom, m.getReplayFrom());
            } else {
                Files.createDirectories(dir);
                if (!Files.exists(dir.resolve(LayerNames.BASE))) {
                    createBase(dir.resolve(LayerNames.BASE), state.virtualSize(), state.blockSize(), state.createdOffset(),
                            state.createdAt(), m.getDiskId());
                }
                writeMetadata(dir, m);
                replayFrom = Math.min(replayFrom, m.getReplayFrom());
                bases.put(m.getDiskId(), m.getCommandOffset());
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(work)) {
            for (Path d : ds) {
                String id = LayerNames.decode(d.getFileName().toString());
                if (!metadata.containsKey(id)) {
                    throw new LayerDirectoryException("checkpoint of " + input + ": base chunks of disk '" + id
                            + "' without its metadata");
                }
            }
        }
        switchIntoPlace();
        return new Loaded(replayFrom == Long.MAX_VALUE ? lastCommand + 1 : replayFrom, metadata.size(), chunks, bytes, bases);
    }

    private void accept(byte[] key, byte[] value, long offset) throws IOException {
        CheckpointKeys.Key k;
        try {
            k = CheckpointKeys.parse(key);
        } catch (IllegalArgumentException e) {
            throw new LayerDirectoryException("checkpoint of " + input + " at offset " + offset + ": " + e.getMessage(), e);
        }
        if (!disks.test(k.diskId())) {
            return;
        }
        if (k.partition() != input.partition()) {
            throw new LayerDirectoryException("checkpoint of " + input + " at offset " + offset + ": a record of partition "
                    + k.partition() + " (the checkpoint topic needs as many partitions as the command topic)");
        }
        if (value == null) {
            if (k.isDisk()) {
                metadata.remove(k.diskId());
            }
            return;   // a chunk of a deleted disk: its base is dropped with the disk
        }
        Object payload;
        try {
            payload = serde.deserialize(null, value).getPayload();
        } catch (SerializationException e) {
            throw new LayerDirectoryException("checkpoint of " + input + " at offset " + offset + ": " + e.getMessage(), e);
        }
        if (payload instanceof DiskCheckpoint m && k.isDisk() && m.getDiskId().equals(k.diskId())) {
            metadata.put(k.diskId(), m);
        } else if (payload instanceof BaseChunk c && !k.isDisk() && c.getDiskId().equals(k.diskId())
                && c.getIndex() == k.index()) {
            try {
                BaseChunks.write(base(c), c);
            } catch (IllegalArgumentException e) {
                throw new LayerDirectoryException("checkpoint of " + input + " at offset " + offset + ": " + e.getMessage(), e);
            }
            chunks++;
            bytes += c.getData().remaining();
        } else {
            throw new LayerDirectoryException("checkpoint of " + input + " at offset " + offset + ": a "
                    + (payload == null ? "null" : payload.getClass().getSimpleName()) + " under the key of "
                    + (k.isDisk() ? "disk '" + k.diskId() + "'" : "chunk " + k.index() + " of disk '" + k.diskId() + "'"));
        }
    }

    private VhdImage base(BaseChunk c) throws IOException {
        VhdImage img = open.get(c.getDiskId());
        if (img != null) {
            return img;
        }
        Path dir = work.resolve(LayerNames.diskDir(c.getDiskId()));
        Path base = dir.resolve(LayerNames.BASE);
        if (!Files.exists(base)) {
            Files.createDirectories(dir);
            createBase(base, c.getVirtualSize(), c.getBlockSize(), c.getCreatedOffset(), c.getCreatedAt(), c.getDiskId());
        }
        if (open.size() >= MAX_OPEN) {
            Iterator<VhdImage> it = open.values().iterator();
            VhdImage eldest = it.next();
            it.remove();
            eldest.sync();
            eldest.close();
        }
        img = VhdImage.open(base, OpenOptions.WRITE);
        open.put(c.getDiskId(), img);
        return img;
    }

    /** An empty base with the identity CreateDisk gives it (its children name it as parent by that identity). */
    private void createBase(Path base, long virtualSize, int blockSize, long createdOffset, long createdAt, String diskId)
            throws IOException {
        VhdCreator.dynamic(base, virtualSize, blockSize);
        LayerIdentity.stamp(base, LayerIdentity.uniqueId(input.topic(), input.partition(), diskId, 0, createdOffset),
                LayerIdentity.vhdTime(createdAt));
    }

    private static void writeMetadata(Path dir, DiskCheckpoint m) throws IOException {
        FileOps.atomicWrite(dir.resolve(LayerNames.STATE), bytes(m.getStateFile()));
        FileOps.atomicWrite(dir.resolve(LayerNames.SEALED), bytes(m.getSealedFile()));
        if (m.getMergesFile().remaining() > 0) {
            FileOps.atomicWrite(dir.resolve(io.vhdstream.topology.disk.MergeRecord.FILE), bytes(m.getMergesFile()));
        }
    }

    /** Replaces each disk's directory by the loaded one (the old one may hold stale layers of a task that left). */
    private void switchIntoPlace() throws IOException {
        List<Path> loaded = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(work)) {
            ds.forEach(loaded::add);
        }
        for (Path d : loaded) {
            FileOps.fsyncDir(d);
        }
        FileOps.fsyncDir(work);
        for (Path d : loaded) {
            Path target = layersDir.resolve(d.getFileName());
            FileOps.deleteTree(target);
            Files.move(d, target, StandardCopyOption.ATOMIC_MOVE);
        }
        FileOps.fsyncDir(layersDir);
        FileOps.deleteTree(work);
    }

    private void closeAll() throws IOException {
        IOException first = null;
        for (VhdImage img : open.values()) {
            try {
                img.sync();
                img.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static boolean hasEntries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }
}
