package io.vhdstream.topology.store;

import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Position;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The layer directories of one Streams task (one input partition) as a custom {@link StateStore}. The files
 * live under {@code vhdstream.layers.dir}, <em>not</em> under Streams' {@code state.dir} (Streams may wipe
 * task directories there; these files cannot be rebuilt cheaply).
 *
 * <h2>Offsets it manages</h2>
 * The store has no changelog: the input topic is its log. The offsets it manages are therefore input
 * offsets: {@code .offsets/<topic>-<partition>} holds the offset of the next command to apply, written only
 * after the layers were fsynced ({@link #checkpoint()}), so every command below it is durably in the files.
 * {@link #committedOffset(TopicPartition)} answers it for the input partition (null for any other).
 *
 * <p>What Kafka Streams 4.3 does with a store like this (read from its sources and checked by
 * {@code StoreRebuildIT}): for a store without a changelog it never asks {@code committedOffset()} and never
 * restores; the task's consumer resumes at the <em>consumer group's</em> committed offset whatever the store
 * holds. It calls {@link #commit(Map)} with an empty map: on every commit under at-least-once, but under
 * exactly-once only when a task is suspended or closed cleanly. So the store checkpoints on those calls and
 * also on its own schedule ({@code vhdstream.checkpoint.interval.ms}, driven by the processor).
 *
 * <h2>Fault tolerance</h2>
 * <ul>
 * <li><b>Behind</b> (no layer directory or offsets file, e.g. the task moved here, or a crash lost unsynced
 * writes): before the first record after {@link #init}, the store replays the input partition from its
 * committed offset (0 if none) up to that record's offset with a plain consumer ({@link InputReplayer}),
 * through the same {@link DiskLayers} code, emitting nothing (those records' events were published when
 * they were first processed). This is the rebuild path.</li>
 * <li><b>Ahead</b> (files hold effects of records whose Kafka transaction aborted, a crash under
 * exactly-once): the re-delivered records are applied again; {@link DiskLayers} decides as of each record's
 * offset, skips writes already durable or sealed, and reports the same events again, which the new
 * transaction publishes. Nothing is lost and the files converge.</li>
 * </ul>
 *
 * <p>Used only from its task's stream thread.
 */
public final class LayerStore implements StateStore {
    private static final Logger log = LoggerFactory.getLogger(LayerStore.class);

    private final String name;
    private final Path layersDir;
    private final String inputTopic;
    private final int maxOpenLayers;
    private final InputReplayer.Factory replayers;

    private DiskLayers layers;
    private TopicPartition input;
    private Path offsetsFile;
    private Map<String, Object> appConfigs;
    private Long committed;
    private long durableBelow;
    private long next = -1;
    private boolean caughtUp;
    private volatile boolean open;
    private CatchUp lastCatchUp;

    /** What the last catch-up replayed: input offsets [from, until), {@code records} records. */
    public record CatchUp(TopicPartition partition, long from, long until, long records) {
    }

    LayerStore(String name, Path layersDir, String inputTopic, int maxOpenLayers, InputReplayer.Factory replayers) {
        this.name = name;
        this.layersDir = layersDir;
        this.inputTopic = inputTopic;
        this.maxOpenLayers = maxOpenLayers;
        this.replayers = replayers;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        input = new TopicPartition(inputTopic, context.taskId().partition());
        appConfigs = context.appConfigs();
        try {
            Path offsetsDir = layersDir.resolve(LayerNames.OFFSETS_DIR);
            Files.createDirectories(offsetsDir);
            offsetsFile = offsetsDir.resolve(LayerNames.offsetsFile(input.topic(), input.partition()));
            committed = OffsetsFile.read(offsetsFile);
        } catch (IOException e) {
            throw new ProcessorStateException("layer store " + name + " for " + input + " cannot read " + layersDir, e);
        }
        durableBelow = committed == null ? 0 : committed;
        layers = DiskLayers.under(layersDir, maxOpenLayers);
        next = -1;
        caughtUp = false;
        context.register(root, (key, value) -> {
            throw new IllegalStateException("the layer store has no changelog to restore from");
        });
        open = true;
        log.info("layer store {} for {} opened in {} with committed input offset {}", name, input, layersDir, committed);
    }

    /**
     * Applies one input record, catching up first if this is the first record since {@link #init} and the
     * store is behind it.
     */
    public void apply(byte[] key, byte[] value, Position pos, DiskLayers.OutcomeSink out) throws IOException {
        if (!caughtUp) {
            catchUp(pos.offset());
            caughtUp = true;
        }
        layers.applyRecord(key, value, pos, pos.offset() < durableBelow, out);
        next = pos.offset() + 1;
    }

    private void catchUp(long until) throws IOException {
        long from = committed == null ? 0 : committed;
        if (from >= until) {
            return;
        }
        log.info("layer store {}: {} is behind the input (store at {}, first record at {}); replaying {} commands' range",
                name, input, committed, until, until - from);
        long t0 = System.nanoTime();
        long n;
        try (InputReplayer r = replayers.create(appConfigs)) {
            n = r.replay(input, from, until, rec -> layers.applyRecord(rec.key(), rec.value(),
                    new Position(rec.topic(), rec.partition(), rec.offset(), rec.timestamp()), false, DiskLayers.DISCARD));
        }
        next = until;
        checkpoint();
        lastCatchUp = new CatchUp(input, from, until, n);
        log.info("layer store {}: caught up {} from {} to {} ({} records) in {} ms", name, input, from, until, n,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * Makes everything applied so far durable: fsyncs the active layers, then records the next input offset.
     * Does nothing if no record was applied since {@link #init}.
     */
    public void checkpoint() throws IOException {
        if (!open || next < 0) {
            return;
        }
        layers.sync();
        if (committed == null || committed != next) {
            OffsetsFile.write(offsetsFile, next);
            committed = next;
        }
    }

    /** Streams' commit: a checkpoint. The map is empty for a store without changelog (see the class doc). */
    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        try {
            checkpoint();
        } catch (IOException e) {
            throw new ProcessorStateException("layer store " + name + " for " + input + " could not checkpoint", e);
        }
    }

    /** The input offset of the next command to apply, as last made durable; null if none. */
    @Override
    public Long committedOffset(TopicPartition partition) {
        return partition.equals(input) ? committed : null;
    }

    /** The task's input partition. */
    public TopicPartition inputPartition() {
        return input;
    }

    /** The last catch-up of this store instance, or null if it needed none. */
    public CatchUp lastCatchUp() {
        return lastCatchUp;
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
        try {
            layers.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
