package io.vhdstream.topology;

import io.vhdstream.topology.checkpoint.CheckpointPartitioner;
import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.processor.DiskCommandProcessor;
import io.vhdstream.topology.recovery.CheckpointLog;
import io.vhdstream.topology.recovery.InputLog;
import io.vhdstream.topology.recovery.KafkaCheckpointLog;
import io.vhdstream.topology.recovery.KafkaInputLog;
import io.vhdstream.topology.store.LayerStoreBuilder;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * The topology: commands topic → {@link DiskCommandProcessor} (with the layer store) → layers topic and
 * dead-letter topic.
 *
 * <pre>
 *   commands-source ──► disk-command-processor ──► layers-sink        (LayerEvent)
 *   (bytes, earliest)        │ vhdstream-layer-store └─► dead-letters-sink (DeadLetter)
 *                            │ (changelog: the commands topic itself)
 * </pre>
 *
 * The source, processor and store are added with {@link Topology#addReadOnlyStateStore}: the public way to
 * make a source topic a store's changelog, so that Kafka Streams restores a layer store that is behind (on its
 * state updater thread, resumably, with restore progress) before the task processes records. "Read-only" only
 * means Streams writes no changelog for it; the processor still forwards events to the two sinks, which
 * {@code addReadOnlyStateStore}'s signature (a processor without outputs) does not express, hence the cast.
 */
public final class DiskTopology {
    private DiskTopology() {
    }

    public static Topology build(TopologyConfig config) {
        return build(config, KafkaInputLog.factory(), KafkaCheckpointLog.factory(config.checkpointsTopic()));
    }

    /** With other views of the input's offsets and of the checkpoint topic (tests without a broker). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Topology build(TopologyConfig config, InputLog.Factory inputLogs, CheckpointLog.Factory checkpointLogs) {
        // Built with the application's settings (Topology() alone would validate an empty configuration).
        Topology t = new Topology(new org.apache.kafka.streams.TopologyConfig(new StreamsConfig(config.streamsProperties())));
        ProcessorSupplier<byte[], byte[], byte[], byte[]> processor = () -> new DiskCommandProcessor(
                config.checkpointInterval(), config.layersTopic(), config.deadLetterTopic(), config.checkpointsTopic());
        // Source offsets reset to earliest, as addReadOnlyStateStore sets up its source.
        t.addReadOnlyStateStore(new LayerStoreBuilder(Topics.LAYER_STORE, config.layersDir(), config.commandsTopic(),
                        config.maxOpenLayers(), config.retention(), inputLogs, checkpointLogs), Topics.SOURCE_NODE, new ByteArrayDeserializer(),
                new ByteArrayDeserializer(), config.commandsTopic(), Topics.PROCESSOR_NODE, (ProcessorSupplier) processor);
        t.addSink(Topics.LAYERS_SINK_NODE, config.layersTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                Topics.PROCESSOR_NODE);
        t.addSink(Topics.DEAD_LETTER_SINK_NODE, config.deadLetterTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), Topics.PROCESSOR_NODE);
        t.addSink(Topics.CHECKPOINTS_SINK_NODE, config.checkpointsTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), new CheckpointPartitioner(), Topics.PROCESSOR_NODE);
        return t;
    }
}
