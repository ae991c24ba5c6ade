package io.vhdstream.embedded.demo;

import io.vhdstream.embedded.EmbeddedBroker;
import io.vhdstream.topology.config.TopologyConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** How the demo and the soak configure the pipeline: the topology's properties, the connectors, their topics. */
final class PipelineSettings {
    static final String BLOCKS_TOPIC = "vhdstream-blocks";
    static final String SOURCE_ERRORS_TOPIC = "vhdstream-source-errors";

    private PipelineSettings() {
    }

    /** The topology's settings: its own application id, state and layer directories under {@code work}, topics created. */
    static Properties topologyProps(Map<String, Object> client, String appId, Path work, Path layers, int retain) {
        Properties p = new Properties();
        p.putAll(client);
        p.put("application.id", appId);
        p.put("state.dir", work.resolve("streams-state").toString());
        p.put(TopologyConfig.LAYERS_DIR_CONFIG, layers.toString());
        p.put(TopologyConfig.TOPICS_CREATE_CONFIG, "true");
        p.put(TopologyConfig.RETAIN_SNAPSHOTS_CONFIG, String.valueOf(retain));
        return p;
    }

    static Map<String, String> sourceConfig(Path layers) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", "io.vhdstream.connector.source.VhdSourceConnector");
        c.put("tasks.max", "1");
        c.put("roots", layers.toString());
        c.put("topic", BLOCKS_TOPIC);
        c.put("errors.topic", SOURCE_ERRORS_TOPIC);
        c.put("record.format", "avro");
        c.put("scan.interval.ms", "500");
        c.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        return c;
    }

    static Map<String, String> sinkConfig(Path replica) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", "io.vhdstream.connector.sink.VhdReplicaSinkConnector");
        c.put("tasks.max", "1");
        c.put("topics", BLOCKS_TOPIC);
        c.put("replica.dir", replica.toString());
        c.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        c.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        return c;
    }

    static void createTopics(Map<String, Object> client) throws IOException {
        EmbeddedBroker.createTopics(client, Map.of(BLOCKS_TOPIC, 1, SOURCE_ERRORS_TOPIC, 1));
    }
}
