package io.vhdstream.topology.support;

import io.vhdstream.topology.config.TopologyConfig;

import java.nio.file.Path;
import java.util.Properties;

/**
 * The settings of a topology application under test, in one place for every IT: on a test broker, its state and layer
 * directories under the test's work directory, its three topics named (the checkpoint topic after the commands topic);
 * each test adds only what it is about.
 */
public final class TopologySettings {
    private TopologySettings() {
    }

    /** Application {@code appId} on {@code broker}, its directories under {@code work}, on the topics named. */
    public static Properties of(TestBroker broker, String appId, Path work, String commands, String layers,
                                String deadLetters) {
        Properties p = new Properties();
        p.put("application.id", appId);
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("state.dir", work.resolve("state").toString());
        p.put(TopologyConfig.LAYERS_DIR_CONFIG, work.resolve("layers").toString());
        p.put(TopologyConfig.COMMANDS_TOPIC_CONFIG, commands);
        p.put(TopologyConfig.LAYERS_TOPIC_CONFIG, layers);
        p.put(TopologyConfig.DEAD_LETTER_TOPIC_CONFIG, deadLetters);
        p.put(TopologyConfig.CHECKPOINTS_TOPIC_CONFIG, TestBroker.checkpointsFor(commands));
        return p;
    }

    /**
     * The topics {@code <prefix>-commands}, {@code <prefix>-layers} and {@code <prefix>-dead-letters} (and the
     * checkpoint topic) created with {@code partitions} partitions, and application {@code appId} on them.
     */
    public static Properties withTopics(TestBroker broker, String prefix, String appId, Path work, int partitions)
            throws Exception {
        broker.createTopics(prefix + "-commands", prefix + "-layers", prefix + "-dead-letters", partitions);
        return of(broker, appId, work, prefix + "-commands", prefix + "-layers", prefix + "-dead-letters");
    }

    /** The commands topic of settings {@code p}. */
    public static String commands(Properties p) {
        return p.getProperty(TopologyConfig.COMMANDS_TOPIC_CONFIG);
    }

    /** The layer directory of settings {@code p}. */
    public static Path layers(Properties p) {
        return Path.of(p.getProperty(TopologyConfig.LAYERS_DIR_CONFIG));
    }

    /** A reader of the layers and dead-letter topics of settings {@code p}. */
    public static LayerEvents events(Properties p, int partitions) {
        return new LayerEvents(p.getProperty("bootstrap.servers"), p.getProperty(TopologyConfig.LAYERS_TOPIC_CONFIG),
                p.getProperty(TopologyConfig.DEAD_LETTER_TOPIC_CONFIG), partitions);
    }
}
