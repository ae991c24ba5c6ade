package io.vhdstream.topology;

import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.processor.DiskCommandProcessor;
import io.vhdstream.topology.store.InputReplayer;
import io.vhdstream.topology.store.KafkaInputReplayer;
import io.vhdstream.topology.store.LayerStoreBuilder;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * The topology: commands topic → {@link DiskCommandProcessor} (with the layer store) → layers topic and
 * dead-letter topic.
 *
 * <pre>
 *   commands-source ──► disk-command-processor ──► layers-sink        (LayerEvent)
 *   (bytes, earliest)        │ vhdstream-layer-store └─► dead-letters-sink (DeadLetter)
 * </pre>
 */
public final class DiskTopology {
    private DiskTopology() {
    }

    public static Topology build(TopologyConfig config) {
        return build(config, KafkaInputReplayer.factory(config.catchUpTimeout()));
    }

    /** With another way to replay the input (tests). */
    public static Topology build(TopologyConfig config, InputReplayer.Factory replayers) {
        // Built with the application's settings (Topology() alone would validate an empty configuration).
        Topology t = new Topology(new org.apache.kafka.streams.TopologyConfig(new StreamsConfig(config.streamsProperties())));
        t.addSource(AutoOffsetReset.earliest(), Topics.SOURCE_NODE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                config.commandsTopic());
        t.addProcessor(Topics.PROCESSOR_NODE, () -> new DiskCommandProcessor(config.checkpointInterval(),
                config.layersTopic(), config.deadLetterTopic()), Topics.SOURCE_NODE);
        t.addStateStore(new LayerStoreBuilder(Topics.LAYER_STORE, config.layersDir(), config.commandsTopic(),
                config.maxOpenLayers(), replayers), Topics.PROCESSOR_NODE);
        t.addSink(Topics.LAYERS_SINK_NODE, config.layersTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                Topics.PROCESSOR_NODE);
        t.addSink(Topics.DEAD_LETTER_SINK_NODE, config.deadLetterTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), Topics.PROCESSOR_NODE);
        return t;
    }
}
