package io.vhdstream.topology.checkpoint;

import io.vhdstream.schemas.checkpoint.BaseChunk;
import io.vhdstream.schemas.checkpoint.Checkpoint;
import io.vhdstream.schemas.checkpoint.DiskCheckpoint;
import io.vhdstream.schemas.serde.AvroSerde;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.topology.disk.MergeRecord;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The records a disk's changes put on the checkpoint topic, handed to a {@link Sink} in the order they must be
 * published (chunks before the metadata that makes them count). Three moments:
 * <ul>
 * <li>{@link #created}: the disk exists; nothing is checkpointed yet, a recovery replays it from its CreateDisk;</li>
 * <li>{@link #chunk} and {@link #base}: the base layer was sealed, or a merge folded layers into it: its chunks
 * (all of them at the first seal, those the merge wrote after a merge), then the metadata saying which input
 * offset the base reflects (the seal of the newest layer it holds), from which a recovery replays the rest
 * ({@link CheckpointPublisher} sends them, in pieces, after the command that changed the base);</li>
 * <li>{@link #deleted}: the tombstone state (later commands stay rejected) and tombstones for its chunks.</li>
 * </ul>
 */
public final class CheckpointRecords {
    /** Receives keys and values (null: a compaction tombstone). */
    @FunctionalInterface
    public interface Sink {
        void accept(byte[] key, byte[] value);
    }

    private final String topic;
    private final AvroSerde<Checkpoint> serde = AvroSerdes.checkpoint();

    public CheckpointRecords(String topic) {
        this.topic = topic;
    }

    /** A disk was created (its CreateDisk is at {@code disk.createdOffset()}). */
    public void created(DiskState disk, Sink out) {
        out.accept(CheckpointKeys.disk(disk.partition(), disk.diskId()), metadata(disk, disk.createdOffset(),
                disk.createdOffset(), List.of(), List.of()));
    }

    /**
     * Chunk {@code index} of the base {@code img} as it is now, for a base that holds every effect of the input up to
     * and including {@code throughOffset}: its record, or a compaction tombstone when the base holds none of its
     * sectors.
     */
    public void chunk(DiskState disk, VhdImage img, long index, long throughOffset, Sink out) throws IOException {
        BaseChunk c = BaseChunks.read(img, disk, index, throughOffset);
        out.accept(CheckpointKeys.chunk(disk.partition(), disk.diskId(), index),
                c == null ? null : serde.serialize(topic, new Checkpoint(c)));
    }

    /**
     * The metadata that makes the published chunks count: the base holds every effect of the input up to and
     * including {@code throughOffset}, described by {@code sealed} (the sealed lines up to the one the base captures)
     * and {@code merges} (the disk's merge journal); a recovery replays from the offset after it. Published after
     * every chunk the base changed since the previous metadata.
     */
    public void base(DiskState disk, List<SealedLayer> sealed, List<MergeRecord> merges, long throughOffset, Sink out) {
        out.accept(CheckpointKeys.disk(disk.partition(), disk.diskId()), metadata(disk, throughOffset, throughOffset + 1,
                sealed, merges));
    }

    /** Every chunk the base holds data in. */
    public static Iterable<Long> presentChunks(Path base) throws IOException {
        try (VhdImage img = VhdImage.open(base, OpenOptions.READ)) {
            return BaseChunks.touched(img.presentExtents());
        }
    }

    /**
     * The disk was deleted: its tombstone state, then compaction tombstones for the chunks of {@code base} (when
     * the file is still there; otherwise its chunks only cost space until the topic is cleaned by hand).
     */
    public void deleted(DiskState tombstone, List<SealedLayer> sealed, Path base, Sink out)
            throws IOException {
        if (Files.exists(base)) {
            for (long index : presentChunks(base)) {
                out.accept(CheckpointKeys.chunk(tombstone.partition(), tombstone.diskId(), index), null);
            }
        }
        out.accept(CheckpointKeys.disk(tombstone.partition(), tombstone.diskId()), metadata(tombstone,
                tombstone.deletedOffset(), tombstone.deletedOffset() + 1, sealed, List.of()));
    }

    private byte[] metadata(DiskState disk, long commandOffset, long replayFrom, List<SealedLayer> sealed,
                            List<MergeRecord> merges) {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (SealedLayer s : sealed) {
            lines.writeBytes(s.toLine().getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream mergeLines = new ByteArrayOutputStream();
        for (MergeRecord m : merges) {
            mergeLines.writeBytes(m.toLine().getBytes(StandardCharsets.UTF_8));
        }
        DiskCheckpoint m = DiskCheckpoint.newBuilder().setDiskId(disk.diskId()).setCommandOffset(commandOffset)
                .setReplayFrom(replayFrom).setStateFile(ByteBuffer.wrap(disk.serialize()))
                .setSealedFile(ByteBuffer.wrap(lines.toByteArray())).setMergesFile(ByteBuffer.wrap(mergeLines.toByteArray())).build();
        return serde.serialize(topic, new Checkpoint(m));
    }
}
