package io.vhdstream.topology.store;

import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.checkpoint.CheckpointLoader;
import io.vhdstream.topology.recovery.CheckpointLog;
import io.vhdstream.topology.recovery.InputLog;
import io.vhdstream.topology.recovery.RecoveryProgress;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * The layer directories of one Streams task (one input partition) as a custom {@link StateStore}. The files
 * live under {@code vhdstream.layers.dir}, <em>not</em> under Streams' {@code state.dir} (Streams may wipe
 * task directories there; these files cannot be rebuilt cheaply).
 *
 * <h2>The input topic is its changelog</h2>
 * The topology registers the store with the command topic as its changelog (a source-topic changelog, as
 * {@code Topology.addReadOnlyStateStore} does). So when the store is behind the consumer group (no layer
 * directory, a task that moved here, a crash that lost unsynced writes), Kafka Streams itself restores it
 * before the task processes anything: on its state updater thread, not the stream thread, from
 * {@link #committedOffset} to the group's committed offset, through {@link #restore}, which applies each
 * command with the same {@link DiskLayers} code and publishes nothing (those commands' events were published
 * when they were first processed). There is no time limit; progress goes to the log and to the task metrics
 * of {@link RecoveryProgress}. Streams calls {@link #commit} during the restoration every
 * {@code commit.interval.ms}, so a recovery killed midway resumes from its last checkpoint. A store that needs its
 * disks from the checkpoint topic first loads them there too, at its first restoration call (see
 * {@link #loadPendingCheckpoint}), not in {@link #init}, which Streams runs on the stream thread.
 *
 * <h2>Offsets it manages</h2>
 * {@code .offsets/<topic>-<partition>} holds the input offset of the next command to apply, written only after
 * the layers were fsynced ({@link #checkpoint()}), so every command below it is durably in the files.
 * {@link #committedOffset} reports it in Streams' changelog convention (the offset of the last record applied).
 * Streams asks for it once, when the task starts, to decide where restoration begins.
 *
 * <p>Under exactly-once Streams calls {@link #commit} only while restoring and when a task is suspended or
 * closed cleanly, so the store also checkpoints on its own schedule ({@code vhdstream.checkpoint.interval.ms},
 * driven by the processor). An empty map, which Streams passes to forget the offsets of a store it thinks
 * corrupted, is treated like any other commit: the directory never holds uncommitted state in Streams' sense
 * (see below), and forgetting the offsets would make Streams restore from wherever the topic now starts,
 * silently skipping what retention deleted.
 *
 * <h2>Fault tolerance</h2>
 * <ul>
 * <li><b>Behind</b>: restored as above. If retention has deleted input the restoration would need, the task
 * fails at start with an error naming the missing offsets instead of rebuilding wrong layers.</li>
 * <li><b>Ahead</b> (files hold effects of records whose Kafka transaction aborted, a crash under
 * exactly-once): the re-delivered records are applied again; {@link DiskLayers} decides as of each record's
 * offset, skips writes already durable or sealed, and reports the same events again, which the new
 * transaction publishes. Nothing is lost and the files converge.</li>
 * </ul>
 *
 * <p>Used by one thread at a time: Streams' state updater while restoring, then its task's stream thread.
 */
public final class LayerStore implements StateStore {
    private static final Logger log = LoggerFactory.getLogger(LayerStore.class);

    private final String name;
    private final Path layersDir;
    private final String inputTopic;
    private final int maxOpenLayers;
    private final io.vhdstream.topology.disk.Retention retention;
    private final InputLog.Factory inputLogs;
    private final CheckpointLog.Factory checkpointLogs;

    private DiskLayers layers;
    private TopicPartition input;
    private Path offsetsFile;
    private Long committed;
    /** Why the pending checkpoint load failed, if it did: not tried again by this store. */
    private RuntimeException loadFailure;
    /** The active layers' lengths at the checkpoint the store opens on (see LayerMarks). */
    private io.vhdstream.topology.disk.LayerMarks layerMarks;
    private Long groupCommitted;
    private long durableBelow;
    private long next = -1;
    private volatile boolean open;
    private RecoveryProgress progress;
    private Map<String, Object> appConfigs;
    private InputLog.Range range;
    private boolean checkpointPending;

    LayerStore(String name, Path layersDir, String inputTopic, int maxOpenLayers,
               io.vhdstream.topology.disk.Retention retention, InputLog.Factory inputLogs,
               CheckpointLog.Factory checkpointLogs) {
        this.retention = retention;
        this.name = name;
        this.layersDir = layersDir;
        this.inputTopic = inputTopic;
        this.maxOpenLayers = maxOpenLayers;
        this.inputLogs = inputLogs;
        this.checkpointLogs = checkpointLogs;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        input = new TopicPartition(inputTopic, context.taskId().partition());
        try {
            Path offsetsDir = layersDir.resolve(LayerNames.OFFSETS_DIR);
            io.vhdstream.topology.disk.FileOps.createDirectories(offsetsDir);
            offsetsFile = offsetsDir.resolve(LayerNames.offsetsFile(input.topic(), input.partition()));
            committed = OffsetsFile.read(offsetsFile);
            layerMarks = OffsetsFile.readMarks(offsetsFile);
        } catch (IOException e) {
            throw new ProcessorStateException("layer store " + name + " for " + input + " cannot read " + layersDir, e);
        }
        next = -1;
        appConfigs = context.appConfigs();
        progress = new RecoveryProgress(input, context.taskId().toString(), context.metrics());
        try {
            try (InputLog inputLog = inputLogs.open(appConfigs)) {
                range = inputLog.range(input);
            }
            groupCommitted = range.restoreEnd();
            checkpointPending = checkpointNeeded(range);
            loadFailure = null;
            if (checkpointPending) {
                log.info("layer store {} for {}: its disks come from the checkpoint topic first, loaded when Streams"
                        + " restores the store (off the processing thread)", name, input);
            } else {
                durableBelow = committed == null ? 0 : committed;
                planRecovery(range);
            }
        } catch (RuntimeException e) {
            progress.close();
            throw e;
        }
        layers = DiskLayers.under(layersDir, maxOpenLayers, retention);
        layers.recoverFrom(layerMarks);
        context.register(root, (RecordBatchingStateRestoreCallback) this::restore);
        open = true;
        log.info("layer store {} for {} opened in {} with committed input offset {}", name, input, layersDir, committed);
    }

    /**
     * A store with no offsets for its partition (a lost directory, a task new here) behind the group, or one whose
     * offsets retention has already passed, needs its disks from the checkpoint topic: the replay then starts where
     * the checkpoint ends, not at the disks' creation.
     */
    private boolean checkpointNeeded(InputLog.Range r) {
        boolean lost = committed == null && r.restoreEnd() > 0;
        boolean passed = committed != null && committed < r.logStart() && committed < r.restoreEnd();
        return lost || passed;
    }

    /**
     * Loads the checkpoint if {@link #init} left it pending. Called from Streams' restoration ({@link #restore}, or
     * {@link #commit} when there was nothing to restore), both on the state updater thread, so a large base does not
     * hold up the stream thread and the other tasks on it; init runs on the stream thread. Until then the store
     * reports no committed offset, so Streams restores from the start of the topic and {@link #restore} skips the
     * commands the checkpoint already holds. Killed midway, it loads again at the next start (the offsets file is
     * written last).
     */
    private void loadPendingCheckpoint() {
        if (!checkpointPending) {
            return;
        }
        if (loadFailure != null) {
            throw loadFailure;   // once per store: the state updater may call again while the instance stops
        }
        try {
            loadCheckpoint(range, appConfigs);
        } catch (RuntimeException e) {
            loadFailure = e;
            throw e;
        }
        checkpointPending = false;
        durableBelow = committed == null ? 0 : committed;
        planRecovery(range);
    }

    private void loadCheckpoint(InputLog.Range r, Map<String, Object> appConfigs) {
        boolean lost = committed == null;
        progress.checkpointStart(inputTopic, lost ? "no layer offsets in " + layersDir + " (new or lost directory)"
                : "the layers are durable up to offset " + committed + " but the topic now starts at " + r.logStart());
        try (CheckpointLog source = checkpointLogs.open(appConfigs)) {
            CheckpointLoader.Loaded l = CheckpointLoader.load(source, input, layersDir, progress::checkpointProgress);
            if (l == null) {
                log.info("recovering the layers of {}: the checkpoint topic holds none of its disks", input);
                return;
            }
            // The loaded bases are in the topic already: a start does not publish them again (PublishedMarks).
            io.vhdstream.topology.checkpoint.PublishedMarks marks = publishedMarks();
            for (var e : l.bases().entrySet()) {
                marks.put(e.getKey(), e.getValue(), -1);
            }
            // The old marks were of the directories the load replaced; the replay starts at the checkpoint's end.
            io.vhdstream.topology.disk.LayerMarks loaded = io.vhdstream.topology.disk.LayerMarks.ofLoadedDisks(
                    l.replayFrom(), layersDir, l.bases().keySet());
            OffsetsFile.write(offsetsFile, l.replayFrom(), loaded);
            committed = l.replayFrom();
            layers.recoverFrom(loaded);
            progress.checkpointDone(l.disks(), l.chunks(), l.bytes(), l.replayFrom());
        } catch (IOException e) {
            throw new ProcessorStateException("layer store " + name + " for " + input + " could not load its checkpoint"
                    + " into " + layersDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Finds out what Streams is about to restore ([committed offset, group's committed offset)), refuses to start
     * when retention already deleted part of it, and announces the recovery.
     */
    private void planRecovery(InputLog.Range r) {
        long from = durableBelow;
        long until = r.restoreEnd();
        if (until <= from) {
            return;
        }
        if (from < r.logStart()) {
            throw new ProcessorStateException("the layers of " + input + " cannot be recovered: they are durable up to input"
                    + " offset " + from + " and must replay the commands up to the group's committed offset " + until
                    + ", but the topic now starts at offset " + r.logStart() + " (retention deleted input offsets ["
                    + from + ", " + r.logStart() + ")). Restore the layer directory " + layersDir
                    + " from a backup, or rebuild the disks of this partition elsewhere.");
        }
        progress.start(from, until, committed == null ? "no layer offsets in " + layersDir + " (new or lost directory)"
                : "the layers are durable up to offset " + from + ", the group committed " + until);
    }

    /**
     * Streams' restoration: applies commands read again from the input, in offset order, publishing nothing. Also
     * the entry point for tests.
     */
    public void restore(Collection<ConsumerRecord<byte[], byte[]>> records) {
        loadPendingCheckpoint();
        long bytes = 0;
        int n = 0;
        try {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                if (r.offset() < durableBelow) {
                    continue;   // in the loaded checkpoint (Streams restores from the topic's start, see loadPendingCheckpoint)
                }
                n++;
                layers.applyRecord(r.key(), r.value(), new Position(r.topic(), r.partition(), r.offset(), r.timestamp()),
                        false, DiskLayers.DISCARD);
                next = r.offset() + 1;
                bytes += r.value() == null ? 0 : r.value().length;
            }
        } catch (IOException e) {
            throw new ProcessorStateException("layer store " + name + " could not apply the command at " + input + "@"
                    + next + " while recovering: " + e.getMessage(), e);
        }
        if (n > 0) {
            progress.batch(n, bytes, next);
        }
    }

    /** Applies one input record being processed (the store was restored before the task's first record). */
    public void apply(byte[] key, byte[] value, Position pos, DiskLayers.OutcomeSink out) throws IOException {
        loadPendingCheckpoint();   // never in a running application: Streams commits the store before the task runs
        if (progress.active()) {
            progress.finish();
        }
        layers.applyRecord(key, value, pos, pos.offset() < durableBelow, out);
        next = pos.offset() + 1;
    }

    /**
     * Makes everything applied so far durable: fsyncs the active layers, then records the next input offset.
     * Does nothing if no record was applied since {@link #init}.
     */
    public void checkpoint() throws IOException {
        if (!open || next < 0) {
            return;
        }
        io.vhdstream.topology.disk.LayerMarks m = layers.syncAndMark();
        if (committed == null || committed != next) {
            OffsetsFile.write(offsetsFile, next, m);
            committed = next;
        }
    }

    /** Streams' commit: a checkpoint of what the store applied, whatever the map says (see the class doc). */
    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        loadPendingCheckpoint();
        try {
            checkpoint();
        } catch (IOException e) {
            throw new ProcessorStateException("layer store " + name + " for " + input + " could not checkpoint", e);
        }
    }

    /**
     * The offset of the last input record durably applied (Streams' changelog convention), null if none: the
     * {@code .offsets} file holds the next one.
     */
    @Override
    public Long committedOffset(TopicPartition partition) {
        if (!partition.equals(input) || checkpointPending || committed == null || committed == 0) {
            return null;
        }
        return committed - 1;
    }

    /** The next input offset the task will process: after the last record applied, else where the group resumes. */
    public long nextOffset() {
        return next >= 0 ? next : groupCommitted != null ? groupCommitted : durableBelow;
    }

    /** The group's committed offset of the input partition when the store was opened; null if none or unknown. */
    public Long groupCommitted() {
        return groupCommitted;
    }

    /** Which of the partition's disks have their base in the checkpoint topic for good (see PublishedMarks). */
    public io.vhdstream.topology.checkpoint.PublishedMarks publishedMarks() throws IOException {
        return io.vhdstream.topology.checkpoint.PublishedMarks.read(layersDir, input.topic(), input.partition());
    }

    /** The live disks of this store's partition (directories whose state names it), from their state files. */
    public java.util.List<String> diskIds() throws IOException {
        java.util.List<String> ids = new java.util.ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(layersDir)) {
            for (Path d : ds) {
                String name = d.getFileName().toString();
                if (name.startsWith(".") || !Files.isDirectory(d) || !Files.exists(d.resolve(LayerNames.STATE))) {
                    continue;
                }
                // the state file itself: other tasks' disks share the directory and must not be opened here
                io.vhdstream.topology.disk.DiskState s;
                try {
                    s = io.vhdstream.topology.disk.DiskState.read(d.resolve(LayerNames.STATE));
                } catch (io.vhdstream.topology.disk.LayerDirectoryException e) {
                    log.warn("{}: not a disk directory ({})", d, e.getMessage());
                    continue;
                }
                if (s.partition() == input.partition() && s.topic().equals(input.topic()) && !s.deleted()) {
                    ids.add(s.diskId());
                }
            }
        }
        return ids;
    }

    /** The task's input partition. */
    public TopicPartition inputPartition() {
        return input;
    }

    /** The recovery of this store instance: its progress and metrics. */
    public RecoveryProgress recovery() {
        return progress;
    }

    /** The layer directories (tests and tools inspect them through this). */
    public DiskLayers layers() {
        return layers;
    }

    @Override
    @SuppressWarnings("deprecation")
    public boolean managesOffsets() {
        return true;
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Closes the layer files. Does not checkpoint: a clean close was preceded by {@link #commit}. */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        progress.close();
        try {
            layers.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
