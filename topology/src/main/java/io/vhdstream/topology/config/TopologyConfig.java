package io.vhdstream.topology.config;

import io.vhdstream.topology.Topics;
import io.vhdstream.topology.disk.Retention;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The topology application's configuration: one properties file (config/topology.properties is the
 * reference) holding Kafka Streams settings and the {@code vhdstream.*} settings defined here. Settings the
 * file leaves out get the defaults of {@link #streamsDefaults()}: exactly-once, and the record size limits of
 * {@link KafkaLimits} on Streams' internal producer and consumers.
 */
public final class TopologyConfig extends AbstractConfig {
    public static final String PREFIX = "vhdstream.";

    public static final String LAYERS_DIR_CONFIG = "vhdstream.layers.dir";
    private static final String LAYERS_DIR_DOC = "Directory of the layer store: one directory per disk with its VHD "
            + "layers (docs/layer-directory.md), plus .offsets/. Must not be inside Streams' state.dir, which Streams "
            + "may wipe.";

    public static final String COMMANDS_TOPIC_CONFIG = "vhdstream.topic.commands";
    private static final String COMMANDS_TOPIC_DOC = "Input topic of DiskCommand records keyed by disk id.";

    public static final String LAYERS_TOPIC_CONFIG = "vhdstream.topic.layers";
    private static final String LAYERS_TOPIC_DOC = "Output topic of LayerEvent records (LayerSealed, DiskDeleted).";

    public static final String DEAD_LETTER_TOPIC_CONFIG = "vhdstream.topic.dead.letters";
    private static final String DEAD_LETTER_TOPIC_DOC = "Output topic of DeadLetter records: rejected input.";

    public static final String CHECKPOINTS_TOPIC_CONFIG = "vhdstream.topic.checkpoints";
    private static final String CHECKPOINTS_TOPIC_DOC = "Compacted topic of Checkpoint records: each disk's base layer "
            + "and metadata, from which a lost layer directory is recovered without the commands retention deleted.";

    public static final String CHECKPOINT_INTERVAL_MS_CONFIG = "vhdstream.checkpoint.interval.ms";
    private static final String CHECKPOINT_INTERVAL_MS_DOC = "How often the layer store fsyncs its active layers and "
            + "records its input offset (besides Streams' own commits). Bounds the replay after a crash.";
    public static final long CHECKPOINT_INTERVAL_MS_DEFAULT = 10_000;

    public static final String OPEN_LAYERS_MAX_CONFIG = "vhdstream.layers.open.max";
    private static final String OPEN_LAYERS_MAX_DOC = "Most active layers a task keeps open; the least recently used "
            + "is synced and closed when another must open.";
    public static final int OPEN_LAYERS_MAX_DEFAULT = 64;

    public static final String RETAIN_SNAPSHOTS_CONFIG = "vhdstream.retain.snapshots";
    private static final String RETAIN_SNAPSHOTS_DOC = "Snapshots each disk keeps in its layer directory (at most "
            + Retention.MAX_SNAPSHOTS + ", so a chain never passes the 64 layers readers accept). When a seal takes a "
            + "disk past it, its oldest layers are merged into base.vhd (a LayerMerged event says so) and their "
            + "snapshots can no longer be rebuilt. Decided from the Snapshot records, so replays decide the same.";

    public static final String RETAIN_MAX_AGE_MS_CONFIG = "vhdstream.retain.max.age.ms";
    private static final String RETAIN_MAX_AGE_MS_DOC = "Snapshots older than this, by Snapshot record timestamp, "
            + "relative to the disk's newest snapshot, are merged away too (the newest one always stays).";

    public static final String STATIC_MEMBERSHIP_CONFIG = "vhdstream.static.membership";
    private static final String STATIC_MEMBERSHIP_DOC = "Join the consumer group as a static member unless "
            + "group.instance.id is set: the instance id is <application.id>-<host name>-<hash of the layer directory>, "
            + "the same after a restart. A restarted instance (kill -9 included) then takes its tasks back at once, "
            + "without a rebalance and without waiting out session.timeout.ms, and a clean stop does not leave the "
            + "group, so a rolling restart moves no task (a task that moves must rebuild its layers on the other "
            + "instance). An instance stopped for good gives its tasks up after session.timeout.ms. Two instances "
            + "with the same host name and layer directory path would fence each other: set group.instance.id then.";

    public static final String TOPICS_CREATE_CONFIG = "vhdstream.topics.create";
    private static final String TOPICS_CREATE_DOC = "Create missing topics at start-up with the settings of TopicSetup "
            + "(config/topics.properties).";

    public static final String TOPICS_PARTITIONS_CONFIG = "vhdstream.topics.partitions";
    private static final String TOPICS_PARTITIONS_DOC = "Partitions of topics created at start-up. Disks are spread over "
            + "the input partitions; never change the input topic's partition count afterwards.";

    public static final String TOPICS_REPLICATION_CONFIG = "vhdstream.topics.replication.factor";
    private static final String TOPICS_REPLICATION_DOC = "Replication factor of topics created at start-up; -1 for the "
            + "broker's default.";

    public static final ConfigDef CONFIG = new ConfigDef()
            .define(LAYERS_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, LAYERS_DIR_DOC)
            .define(COMMANDS_TOPIC_CONFIG, Type.STRING, Topics.COMMANDS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    COMMANDS_TOPIC_DOC)
            .define(LAYERS_TOPIC_CONFIG, Type.STRING, Topics.LAYERS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    LAYERS_TOPIC_DOC)
            .define(DEAD_LETTER_TOPIC_CONFIG, Type.STRING, Topics.DEAD_LETTERS, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, DEAD_LETTER_TOPIC_DOC)
            .define(CHECKPOINTS_TOPIC_CONFIG, Type.STRING, Topics.CHECKPOINTS, new ConfigDef.NonEmptyString(),
                    Importance.MEDIUM, CHECKPOINTS_TOPIC_DOC)
            .define(CHECKPOINT_INTERVAL_MS_CONFIG, Type.LONG, CHECKPOINT_INTERVAL_MS_DEFAULT, ConfigDef.Range.atLeast(100),
                    Importance.LOW, CHECKPOINT_INTERVAL_MS_DOC)
            .define(OPEN_LAYERS_MAX_CONFIG, Type.INT, OPEN_LAYERS_MAX_DEFAULT, ConfigDef.Range.atLeast(1), Importance.LOW,
                    OPEN_LAYERS_MAX_DOC)
            .define(RETAIN_SNAPSHOTS_CONFIG, Type.INT, Retention.DEFAULT_SNAPSHOTS,
                    ConfigDef.Range.between(1, Retention.MAX_SNAPSHOTS), Importance.MEDIUM, RETAIN_SNAPSHOTS_DOC)
            .define(RETAIN_MAX_AGE_MS_CONFIG, Type.LONG, Retention.DEFAULT_MAX_AGE_MS, ConfigDef.Range.atLeast(1),
                    Importance.MEDIUM, RETAIN_MAX_AGE_MS_DOC)
            .define(STATIC_MEMBERSHIP_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, STATIC_MEMBERSHIP_DOC)
            .define(TOPICS_CREATE_CONFIG, Type.BOOLEAN, false, Importance.LOW, TOPICS_CREATE_DOC)
            .define(TOPICS_PARTITIONS_CONFIG, Type.INT, 4, ConfigDef.Range.atLeast(1), Importance.LOW, TOPICS_PARTITIONS_DOC)
            .define(TOPICS_REPLICATION_CONFIG, Type.SHORT, (short) -1, Importance.LOW, TOPICS_REPLICATION_DOC);

    private final Properties streams;

    private TopologyConfig(Properties all) {
        super(CONFIG, checked(all));
        this.streams = new Properties();
        streams.putAll(streamsDefaults());
        all.forEach((k, v) -> {
            if (!String.valueOf(k).startsWith(PREFIX)) {
                streams.put(k, v);
            }
        });
        requireFailing(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler.class);
        requireFailing(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                org.apache.kafka.streams.errors.DefaultProductionExceptionHandler.class);
        Path layers = layersDir();
        if (getBoolean(STATIC_MEMBERSHIP_CONFIG) && !StaticMembership.configured(streams)) {
            Object app = streams.get(StreamsConfig.APPLICATION_ID_CONFIG);
            streams.put("group.instance.id", StaticMembership.defaultInstanceId(app == null ? "vhdstream" : app.toString(),
                    layers));
        }
        Object stateDir = streams.get(StreamsConfig.STATE_DIR_CONFIG);
        if (stateDir != null) {
            Path state = Path.of(stateDir.toString()).toAbsolutePath().normalize();
            if (layers.startsWith(state) || state.startsWith(layers)) {
                throw new ConfigException(LAYERS_DIR_CONFIG, layers.toString(), "must not be inside " + StreamsConfig.STATE_DIR_CONFIG
                        + " (" + state + ") nor contain it: Streams may delete task directories there");
            }
        }
    }

    /**
     * Bad input never reaches Streams' exception handlers (the processor dead-letters it); what does is an
     * I/O error on a layer or a failed send of an event. Skipping those would make the layers or the events
     * diverge from the log, so only the handlers that stop processing are accepted.
     */
    private void requireFailing(String key, Class<?> failing) {
        Object v = streams.get(key);
        String name = v instanceof Class<?> c ? c.getName() : v == null ? null : v.toString().trim();
        if (name != null && !name.equals(failing.getName())) {
            throw new ConfigException(key, name, "vhdstream stops rather than skip a command or an event (the layers"
                    + " would diverge from the log); bad input goes to the dead-letter topic anyway. Use "
                    + failing.getName() + " or leave it unset");
        }
    }

    /** Parses and validates; throws {@link ConfigException} on a bad or missing value. */
    public static TopologyConfig of(Properties props) {
        return new TopologyConfig(props);
    }

    public static TopologyConfig of(Map<String, ?> props) {
        Properties p = new Properties();
        p.putAll(props);
        return new TopologyConfig(p);
    }

    /** Reads a properties file (UTF-8). */
    public static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    /**
     * Streams' {@code commit.interval.ms} unless set: one transaction per second instead of exactly-once's
     * 100 ms. Each commit is a few synchronous round trips on the stream thread (about 13 ms measured on the
     * in-process broker); at 100 ms they cost a fifth of the throughput of 64 KiB writes (benchmark: 0.52 vs
     * 0.67 of a bare consumer). The price: LayerSealed events and dead letters become visible to
     * read_committed consumers up to a second later, and a crash redoes up to a second of input.
     */
    public static final long COMMIT_INTERVAL_MS_DEFAULT = 1000;

    /** Streams settings applied unless the configuration sets them. */
    public static Properties streamsDefaults() {
        Properties p = new Properties();
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // The topology has no global stores; enabling the handler there silences Streams' warning on every
        // StreamsConfig it builds and is what Kafka 5.0 will do anyway. The partition assignor builds one from
        // the main consumer's settings, so the consumer gets the setting too (else it warns once per thread).
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        p.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), "true");
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(COMMIT_INTERVAL_MS_DEFAULT));
        // Streams' own producer and consumers carry blocks too: the same client settings as every other one.
        KafkaLimits.producer().forEach((k, v) -> p.put(StreamsConfig.producerPrefix(k), String.valueOf(v)));
        KafkaLimits.consumer().forEach((k, v) -> p.put(StreamsConfig.consumerPrefix(k), String.valueOf(v)));
        p.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, String.valueOf(KafkaLimits.BUFFERED_RECORDS_PER_PARTITION));
        // Exactly-once's 10 s is too short for the transaction of a Snapshot that seals a large base (the whole base
        // goes to the checkpoint topic in it): on a loaded machine it timed out, the producer was fenced and the
        // same Snapshot was processed again and again. 30 s is still below the session timeout (45 s) after which
        // a dead instance's tasks move, so a crash holds nothing up for longer than before.
        p.put(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                String.valueOf(TRANSACTION_TIMEOUT_MS_DEFAULT));
        return p;
    }

    /** Streams' producer {@code transaction.timeout.ms} unless set (see {@link #streamsDefaults()}). */
    public static final int TRANSACTION_TIMEOUT_MS_DEFAULT = 30_000;

    /**
     * The {@code vhdstream.*} entries of {@code all}, after checking every entry whose key vhdstream, Kafka Streams
     * or a Kafka client defines (also behind Streams' client prefixes such as {@code producer.}): a bad value is a
     * {@link ConfigException} naming the key and the accepted values, an unknown {@code vhdstream.*} key too.
     */
    private static Map<String, Object> checked(Properties all) {
        ConfigDef streamsDef = StreamsConfig.configDef();
        for (String key : all.stringPropertyNames()) {
            Object value = all.get(key);
            if (key.startsWith(PREFIX)) {
                if (!CONFIG.configKeys().containsKey(key)) {
                    throw new ConfigException("unknown setting " + key + "; the vhdstream settings are "
                            + String.join(", ", new java.util.TreeSet<>(CONFIG.names())) + " (docs/configuration.md)");
                }
                ConfigValues.check(CONFIG, key, value, null);
            } else if (streamsDef.configKeys().containsKey(key)) {
                ConfigValues.check(streamsDef, key, value, null);
                if (key.equals(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                    ClientSettings.bootstrapAddresses(String.valueOf(value));
                }
            } else {
                checkClientKey(key, value);
            }
        }
        return vhdstreamOnly(all);
    }

    private static final Map<String, ConfigDef> CLIENT_PREFIXES = Map.of(
            StreamsConfig.PRODUCER_PREFIX, org.apache.kafka.clients.producer.ProducerConfig.configDef(),
            StreamsConfig.CONSUMER_PREFIX, org.apache.kafka.clients.consumer.ConsumerConfig.configDef(),
            StreamsConfig.MAIN_CONSUMER_PREFIX, org.apache.kafka.clients.consumer.ConsumerConfig.configDef(),
            StreamsConfig.RESTORE_CONSUMER_PREFIX, org.apache.kafka.clients.consumer.ConsumerConfig.configDef(),
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, org.apache.kafka.clients.consumer.ConsumerConfig.configDef(),
            StreamsConfig.ADMIN_CLIENT_PREFIX, org.apache.kafka.clients.admin.AdminClientConfig.configDef());

    /** Checks a client setting given to Streams, with or without a client prefix; unknown keys pass (Streams ignores them). */
    private static void checkClientKey(String key, Object value) {
        for (Map.Entry<String, ConfigDef> e : CLIENT_PREFIXES.entrySet()) {
            if (key.startsWith(e.getKey())) {
                ConfigValues.check(e.getValue(), key.substring(e.getKey().length()), value, key);
                return;
            }
        }
        for (ConfigDef d : List.of(org.apache.kafka.clients.producer.ProducerConfig.configDef(),
                org.apache.kafka.clients.consumer.ConsumerConfig.configDef(),
                org.apache.kafka.clients.admin.AdminClientConfig.configDef())) {
            if (d.configKeys().containsKey(key)) {
                ConfigValues.check(d, key, value, null);
                return;
            }
        }
    }

    private static Map<String, Object> vhdstreamOnly(Properties all) {
        Map<String, Object> m = new java.util.HashMap<>();
        all.forEach((k, v) -> {
            if (String.valueOf(k).startsWith(PREFIX)) {
                m.put(String.valueOf(k), v);
            }
        });
        return m;
    }

    /** Kafka Streams configuration: defaults, then every non-{@code vhdstream.*} entry of the input. */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.putAll(streams);
        return p;
    }

    public Path layersDir() {
        return Path.of(getString(LAYERS_DIR_CONFIG)).toAbsolutePath().normalize();
    }

    public String commandsTopic() {
        return getString(COMMANDS_TOPIC_CONFIG);
    }

    public String layersTopic() {
        return getString(LAYERS_TOPIC_CONFIG);
    }

    public String deadLetterTopic() {
        return getString(DEAD_LETTER_TOPIC_CONFIG);
    }

    public String checkpointsTopic() {
        return getString(CHECKPOINTS_TOPIC_CONFIG);
    }

    public Duration checkpointInterval() {
        return Duration.ofMillis(getLong(CHECKPOINT_INTERVAL_MS_CONFIG));
    }

    public int maxOpenLayers() {
        return getInt(OPEN_LAYERS_MAX_CONFIG);
    }

    public Retention retention() {
        return new Retention(getInt(RETAIN_SNAPSHOTS_CONFIG), getLong(RETAIN_MAX_AGE_MS_CONFIG));
    }

    /** True if the instance is a static member of the consumer group (by default, or by group.instance.id). */
    public boolean staticMember() {
        return StaticMembership.configured(streams) && StaticMembership.KEYS.stream()
                .map(streams::getProperty).anyMatch(v -> v != null && !v.isBlank());
    }

    public boolean createTopics() {
        return getBoolean(TOPICS_CREATE_CONFIG);
    }

    public int topicPartitions() {
        return getInt(TOPICS_PARTITIONS_CONFIG);
    }

    public short topicReplicationFactor() {
        return getShort(TOPICS_REPLICATION_CONFIG);
    }

    /** Configuration documentation, generated from the definitions. */
    public static String toRst() {
        return CONFIG.toRst();
    }
}
