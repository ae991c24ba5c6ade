package io.vhdstream.topology.processor;

import io.vhdstream.schemas.deadletter.DeadLetter;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.serde.AvroSerde;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.disk.MergeRecord;
import io.vhdstream.topology.checkpoint.BaseChunks;
import io.vhdstream.topology.checkpoint.CheckpointPublisher;
import io.vhdstream.topology.checkpoint.CheckpointRecords;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Outcome;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.topology.store.LayerStore;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Applies each input record to the task's {@link LayerStore} and emits what came of it: {@code LayerSealed}
 * and {@code DiskDeleted} to the layers sink, {@code DeadLetter} to the dead-letter sink, and the disk's
 * checkpoint metadata on CreateDisk and DeleteDisk to the checkpoint sink, all in the record's transaction. A base
 * layer that was sealed or merged into is queued for the {@link CheckpointPublisher}, which sends it to the
 * checkpoint sink in bounded pieces after each record and on a timer (in the transactions that follow).
 *
 * <p>Input keys and values arrive as bytes and are decoded here rather than by Streams' deserializers: a
 * dead letter carries the original bytes and the record's topic, partition and offset, every rejection
 * (undecodable or semantically bad) goes through the same path in the same transaction as the offsets, and
 * the store's catch-up and the rebuild tool decode the same way (one decoder in {@code DiskLayers}).
 *
 * <p>Errors that are not bad input (I/O errors on the layers, a directory that contradicts the log) are
 * thrown: the task fails rather than skip a command and diverge.
 */
public final class DiskCommandProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private final Duration checkpointInterval;
    private final String layersTopic;
    private final String deadLetterTopic;
    private final AvroSerde<LayerEvent> layerSerde = AvroSerdes.layerEvent();
    private final AvroSerde<DeadLetter> deadLetterSerde = AvroSerdes.deadLetter();
    private final CheckpointRecords checkpoints;
    /** Metric group of {@link #BYTES_WRITTEN_METRIC}, tagged with the task id. */
    public static final String METRIC_GROUP = Topics.METRIC_GROUP;
    /** Bytes of Write data the task has stored in its layer files (counted when they reached the file). */
    public static final String BYTES_WRITTEN_METRIC = "layer-bytes-written-total";
    /** Base chunks queued for the checkpoint topic and not yet sent (0: every base is published). */
    public static final String CHECKPOINT_PENDING_METRIC = "checkpoint-pending-chunks";
    /** How often queued checkpoint chunks are sent when no record arrives. */
    static final Duration PUBLISH_TICK = Duration.ofMillis(100);

    private ProcessorContext<byte[], byte[]> context;
    private LayerStore store;
    private Sensor bytesWritten;
    private DeadLetterLog deadLetters;
    private CheckpointPublisher publisher;
    private Sensor pending;

    public DiskCommandProcessor(Duration checkpointInterval, String layersTopic, String deadLetterTopic,
                                String checkpointsTopic) {
        this.checkpointInterval = checkpointInterval;
        this.layersTopic = layersTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.checkpoints = new CheckpointRecords(checkpointsTopic);
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(Topics.LAYER_STORE);
        // Writes reach the files on the layer writer's thread, after the record was processed: operators (and
        // the benchmark) see here how much data really is in the layers.
        bytesWritten = context.metrics().addSensor("vhdstream-layer-bytes-written-" + context.taskId(), Sensor.RecordingLevel.INFO);
        bytesWritten.add(new MetricName(BYTES_WRITTEN_METRIC, METRIC_GROUP, "Bytes of Write data stored in this task's layer files",
                Map.of("task-id", context.taskId().toString())), new CumulativeSum());
        store.layers().onDataWritten(bytesWritten::record);
        deadLetters = new DeadLetterLog(context);
        try {
            publisher = new CheckpointPublisher(checkpoints, store.layers(), store.publishedMarks());
            publisher.resume(store.diskIds(), store.groupCommitted());
        } catch (IOException e) {
            throw new StreamsException("could not read what " + store.inputPartition() + " published to the checkpoint topic", e);
        }
        pending = context.metrics().addSensor("vhdstream-checkpoint-pending-" + context.taskId(), Sensor.RecordingLevel.INFO);
        pending.add(new MetricName(CHECKPOINT_PENDING_METRIC, METRIC_GROUP,
                "Base layer chunks this task has queued for the checkpoint topic and not yet sent",
                Map.of("task-id", context.taskId().toString())), new Value());
        pending.record(publisher.pendingChunks());
        context.schedule(PUBLISH_TICK, PunctuationType.WALL_CLOCK_TIME, now -> publishCheckpoints());
        context.schedule(checkpointInterval, PunctuationType.WALL_CLOCK_TIME, now -> {
            try {
                store.checkpoint();
            } catch (IOException e) {
                throw new StreamsException("layer store checkpoint failed for " + store.inputPartition(), e);
            }
        });
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata md = context.recordMetadata()
                .orElseThrow(() -> new IllegalStateException("input records always have metadata"));
        Position pos = new Position(md.topic(), md.partition(), md.offset(), record.timestamp());
        try {
            store.apply(record.key(), record.value(), pos, outcome -> emit(outcome, record, pos));
            if (publisher.pendingDisks() > 0) {
                publisher.publish(context.currentSystemTimeMs(), pos.offset() + 1, toCheckpoints(record.timestamp()));
                pending.record(publisher.pendingChunks());
            }
        } catch (IOException e) {
            throw new StreamsException("could not apply the command at " + pos.topic() + "-" + pos.partition() + "@"
                    + pos.offset() + " to the layers: " + e.getMessage(), e);
        }
    }

    private void publishCheckpoints() {
        if (publisher.pendingDisks() == 0) {
            return;
        }
        try {
            publisher.publish(context.currentSystemTimeMs(), store.nextOffset(), toCheckpoints(context.currentSystemTimeMs()));
            pending.record(publisher.pendingChunks());
        } catch (IOException e) {
            throw new StreamsException("could not publish the checkpoint of " + store.inputPartition() + ": " + e.getMessage(), e);
        }
    }

    private CheckpointRecords.Sink toCheckpoints(long timestamp) {
        return (k, v) -> context.forward(new Record<>(k, v, timestamp), Topics.CHECKPOINTS_SINK_NODE);
    }

    /** Dead letters by reason code, summed over the tasks among {@code metrics} (metric {@code dead-letters-total}). */
    public static Map<String, Double> deadLetters(Map<MetricName, ? extends Metric> metrics) {
        return DeadLetterLog.counts(metrics);
    }

    /** The sum of {@link #BYTES_WRITTEN_METRIC} over the tasks among {@code metrics} (Streams' or a test driver's). */
    public static double bytesWritten(Map<MetricName, ? extends Metric> metrics) {
        double sum = 0;
        for (var e : metrics.entrySet()) {
            if (e.getKey().group().equals(METRIC_GROUP) && e.getKey().name().equals(BYTES_WRITTEN_METRIC)) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return sum;
    }

    @Override
    public void close() {
        if (bytesWritten != null) {
            store.layers().onDataWritten(n -> { });
            context.metrics().removeSensor(bytesWritten);
        }
        if (deadLetters != null) {
            deadLetters.close();
        }
        if (pending != null) {
            context.metrics().removeSensor(pending);
        }
    }

    private void emit(Outcome outcome, Record<byte[], byte[]> in, Position pos) throws IOException {
        CheckpointRecords.Sink toCheckpoints = toCheckpoints(in.timestamp());
        DiskLayers layers = store.layers();
        if (outcome instanceof Outcome.Sealed s) {
            forwardLayerEvent(s.disk().diskId(), OutputRecords.layerSealed(s.disk(), s.layer()), in);
            List<SealedLayer> sealed = s.merges().isEmpty() ? List.of() : layers.sealedLayers(s.disk().diskId());
            for (MergeRecord m : s.merges()) {
                forwardLayerEvent(s.disk().diskId(), OutputRecords.layerMerged(s.disk(), m, sealed), in);
            }
            // The base is the snapshot of layer 0 until a merge rewrites it: publish all of it at its seal, then
            // what each merge wrote (all of it for a seal replayed after a crash, whose merge ran before). A replayed
            // seal of a disk deleted since has no base left (its deletion, replayed next, checkpoints it).
            boolean firstSeal = s.layer().layerIndex() == 0 && layers.merges(s.disk().diskId()).isEmpty();
            if (!s.disk().deleted() && (firstSeal || !s.merges().isEmpty())) {
                String id = s.disk().diskId();
                Path base = layers.directory(id).resolve(LayerNames.BASE);
                Iterable<Long> chunks = firstSeal || s.mergedExtents() == null ? CheckpointRecords.presentChunks(base)
                        : BaseChunks.touched(s.mergedExtents());
                publisher.baseChanged(s.disk(), layers.sealedLayers(id), layers.merges(id), chunks);
            }
        } else if (outcome instanceof Outcome.Deleted d) {
            forwardLayerEvent(d.disk().diskId(), OutputRecords.diskDeleted(d.disk()), in);
            publisher.cancel(d.disk().diskId());
            checkpoints.deleted(d.disk(), layers.sealedLayers(d.disk().diskId()),
                    layers.directory(d.disk().diskId()).resolve(LayerNames.BASE), toCheckpoints);
        } else if (isCreation(outcome)) {
            String id = diskIdOf(outcome);
            DiskState disk = layers.state(id);
            if (disk != null && disk.createdOffset() == pos.offset()) {   // also when re-delivered (skipped)
                checkpoints.created(disk, toCheckpoints);
            }
        } else if (outcome instanceof Outcome.Rejected r) {
            byte[] key = r.diskId() != null ? r.diskId().getBytes(StandardCharsets.UTF_8) : in.key();
            byte[] value = deadLetterSerde.serialize(deadLetterTopic, OutputRecords.deadLetter(r, pos, in.key(), in.value()));
            context.forward(new Record<>(key, value, in.timestamp()), Topics.DEAD_LETTER_SINK_NODE);
            deadLetters.record(r, pos);
        }
    }

    private static boolean isCreation(Outcome o) {
        return o instanceof Outcome.Applied a && a.command().equals("CreateDisk")
                || o instanceof Outcome.Skipped s && s.command().equals("CreateDisk");
    }

    private static String diskIdOf(Outcome o) {
        return o instanceof Outcome.Applied a ? a.diskId() : ((Outcome.Skipped) o).diskId();
    }

    private void forwardLayerEvent(String diskId, LayerEvent event, Record<byte[], byte[]> in) {
        byte[] value = layerSerde.serialize(layersTopic, event);
        context.forward(new Record<>(diskId.getBytes(StandardCharsets.UTF_8), value, in.timestamp()), Topics.LAYERS_SINK_NODE);
    }
}
