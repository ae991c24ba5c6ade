package io.vhdstream.topology.checkpoint;

import io.vhdstream.schemas.layerdir.LayerDirectoryLines;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.MergeRecord;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Publishes one task's base layers to the checkpoint topic in bounded pieces, after the commands that changed
 * them: a seal or merge only queues the chunks it changed; {@link #publish} sends queued chunks as a token bucket
 * allows ({@value #BURST_CHUNKS} chunks at once, {@value #CHUNKS_PER_SECOND} a second), and a disk's metadata once
 * none of its chunks is left. The records go into whichever Kafka Streams transaction is open (the processor
 * forwards them), so no transaction carries more than a burst of chunks, and each carries the input offsets of the
 * commands processed before it: every committed chunk was read from a base whose changes the group's committed
 * offset already covers.
 *
 * <p>Why that keeps recovery correct: the loader applies the latest record of each key. Until a disk's metadata
 * follows its chunks, the topic may hold chunks newer than its metadata; a recovery then loads a base holding data of
 * later merges under metadata that replays from an earlier seal, and Streams' restoration replays, before the task
 * runs, every command up to the group's committed offset, past the merge whose chunks it loaded: each replayed merge
 * writes the same sectors again, so the base ends as the first run left it. A chunk is read when it is sent, from the
 * base as it is then; a merge that touches a chunk already sent queues it again, and the metadata is computed from
 * the disk's state when it is sent, so it describes the base the chunks were read from.
 *
 * <p>What is queued lives in memory. A publication cut short (a crash, a stop, a task that moved) leaves a base only
 * partly in the topic; {@link PublishedMarks} tells the next start which disks must be published again in full.
 * Used by the task's stream thread only.
 */
public final class CheckpointPublisher {
    /** Chunks (512 KiB each) one call may send at most: bounds what a transaction carries (8 MiB). */
    public static final int BURST_CHUNKS = 16;
    /** Sustained rate: 32 MiB/s, so a catch-up that seals a large base keeps most of the thread for its commands. */
    public static final int CHUNKS_PER_SECOND = 64;

    private final CheckpointRecords records;
    private final DiskLayers layers;
    private final PublishedMarks marks;
    private final Map<String, Job> pending = new LinkedHashMap<>();
    private double tokens = BURST_CHUNKS;
    private long refilledAtMs = -1;
    private long pendingChunks;

    public CheckpointPublisher(CheckpointRecords records, DiskLayers layers, PublishedMarks marks) {
        this.records = records;
        this.layers = layers;
        this.marks = marks;
    }

    /**
     * At task start: queues the whole base of each disk in {@code diskIds} whose current base the marks do not show
     * as published for good ({@code groupCommitted}: the group's committed offset of the partition, null if unknown).
     */
    public void resume(Iterable<String> diskIds, Long groupCommitted) throws IOException {
        for (String id : diskIds) {
            // From the files first: a disk whose publication stands is not opened (a start opens disks lazily).
            Path dir = layers.directory(id);
            List<SealedLayer> sealed = SealedLayer.readAll(dir.resolve(LayerNames.SEALED));
            List<MergeRecord> merges = MergeRecord.readAll(dir.resolve(MergeRecord.FILE));
            PublishedMarks.Mark m = marks.get(id);
            if (sealed.isEmpty() || m != null && m.covers(Job.through(sealed, merges), groupCommitted)) {
                continue;
            }
            // Opened through the layers, which finish a merge a crash cut short before anything reads the base.
            DiskState disk = layers.state(id);
            if (disk == null || disk.deleted()) {
                continue;
            }
            marks.remove(id);   // until the new publication is complete, a restart must not trust the old one
            baseChanged(disk, layers.sealedLayers(id), layers.merges(id), CheckpointRecords.presentChunks(base(id)));
        }
    }

    /**
     * The base of {@code disk} changed in {@code chunks} (all its chunks when it was just sealed); {@code sealed} and
     * {@code merges} are the disk's sealed layers and merge journal now.
     */
    public void baseChanged(DiskState disk, List<SealedLayer> sealed, List<MergeRecord> merges, Iterable<Long> chunks) {
        Job job = pending.computeIfAbsent(disk.diskId(), k -> new Job());
        job.disk = disk;
        job.sealed = List.copyOf(sealed.subList(0, LayerDirectoryLines.MergeLine.level(merges) + 1));
        job.merges = List.copyOf(merges);
        for (long c : chunks) {
            if (job.chunks.add(c)) {
                pendingChunks++;
            }
        }
    }

    /** The disk was deleted: its deletion's records replace whatever was queued. */
    public void cancel(String diskId) {
        Job job = pending.remove(diskId);
        if (job != null) {
            pendingChunks -= job.chunks.size();
        }
    }

    /** Chunks queued and not yet sent. */
    public long pendingChunks() {
        return pendingChunks;
    }

    /** Disks whose metadata is still to be sent. */
    public int pendingDisks() {
        return pending.size();
    }

    /**
     * Sends what the token bucket allows at {@code nowMs}; {@code nextOffset} is the next input offset the task will
     * process (recorded with each complete publication, see {@link PublishedMarks}).
     */
    public void publish(long nowMs, long nextOffset, CheckpointRecords.Sink out) throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        if (refilledAtMs >= 0) {
            tokens = Math.min(BURST_CHUNKS, tokens + (nowMs - refilledAtMs) * CHUNKS_PER_SECOND / 1000.0);
        }
        refilledAtMs = nowMs;
        Iterator<Job> jobs = pending.values().iterator();
        while (jobs.hasNext()) {
            Job job = jobs.next();
            long through = Job.through(job.sealed, job.merges);
            if (!job.chunks.isEmpty()) {
                if (tokens < 1) {
                    return;
                }
                try (VhdImage img = VhdImage.open(base(job.disk.diskId()), OpenOptions.READ)) {
                    while (!job.chunks.isEmpty() && tokens >= 1) {
                        records.chunk(job.disk, img, job.chunks.pollFirst(), through, out);
                        pendingChunks--;
                        tokens--;
                    }
                }
                if (!job.chunks.isEmpty()) {
                    return;
                }
            }
            records.base(job.disk, job.sealed, job.merges, through, out);
            marks.put(job.disk.diskId(), through, nextOffset);
            jobs.remove();
        }
    }

    /** A disk's queued publication: what its base is now and the chunks still to send. */
    private static final class Job {
        DiskState disk;
        List<SealedLayer> sealed;
        List<MergeRecord> merges;
        final TreeSet<Long> chunks = new TreeSet<>();

        /** The input offset the base reflects: the seal of the newest layer it holds. */
        static long through(List<SealedLayer> sealed, List<MergeRecord> merges) {
            return sealed.get(LayerDirectoryLines.MergeLine.level(merges)).sealOffset();
        }
    }

    private Path base(String diskId) {
        return layers.directory(diskId).resolve(LayerNames.BASE);
    }
}
