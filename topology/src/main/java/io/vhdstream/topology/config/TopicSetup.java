package io.vhdstream.topology.config;

import io.vhdstream.topology.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline's topics and their settings, by role (config/topics.properties states the same, for operators who
 * create topics with kafka-topics.sh or {@code vhdstream topics create}; a test keeps the two equal). The command topic keeps every record:
 * layers are rebuilt from it after a task moves, and {@code vhdstream rebuild} replays it from the start.
 */
public final class TopicSetup {
    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);
    public static final String COMMANDS = "commands";
    public static final String LAYERS = "layers";
    public static final String DEAD_LETTERS = "dead-letters";
    public static final String CHECKPOINTS = "checkpoints";
    /** The connectors' topics: the source's blocks and errors, the sink's dead-letter queue. */
    public static final String BLOCKS = "blocks";
    public static final String SOURCE_ERRORS = "source-errors";
    public static final String REPLICA_DLQ = "replica-dlq";
    /** Kafka Connect's own topics (config/connect-distributed.properties *.storage.topic). */
    public static final String CONNECT_CONFIGS = "connect-configs";
    public static final String CONNECT_OFFSETS = "connect-offsets";
    public static final String CONNECT_STATUS = "connect-status";

    /** Every role, in the order config/topics.properties lists them. */
    public static final List<String> ROLES = List.of(COMMANDS, LAYERS, DEAD_LETTERS, CHECKPOINTS, BLOCKS, SOURCE_ERRORS,
            REPLICA_DLQ, CONNECT_CONFIGS, CONNECT_OFFSETS, CONNECT_STATUS);
    /** The topics the topology reads and writes. */
    public static final List<String> TOPOLOGY_ROLES = List.of(COMMANDS, LAYERS, DEAD_LETTERS, CHECKPOINTS);

    private TopicSetup() {
    }

    /**
     * 30 days: recovery and rebuild need a disk's commands since its checkpointed base (its oldest retained
     * snapshot, at most {@code vhdstream.retain.max.age.ms} old for a disk that snapshots that often) plus the longest
     * outage to recover from (docs/deployment.md).
     */
    public static final String COMMANDS_RETENTION_MS = "2592000000";

    public static Map<String, String> commandsConfigs() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("max.message.bytes", String.valueOf(KafkaLimits.MAX_MESSAGE_BYTES));
        m.put("retention.ms", COMMANDS_RETENTION_MS);
        m.put("retention.bytes", "-1");
        m.put("cleanup.policy", "delete");
        return m;
    }

    public static Map<String, String> layersConfigs() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("max.message.bytes", String.valueOf(KafkaLimits.MAX_MESSAGE_BYTES));
        m.put("retention.ms", "-1");
        m.put("cleanup.policy", "delete");
        return m;
    }

    public static Map<String, String> deadLetterConfigs() {
        return recordLimit();
    }

    /**
     * Compacted: the latest record of each key (a disk's metadata, a chunk of its base) is the checkpoint. Same
     * partition count as the command topic: a disk's checkpoint lives in its command partition's number.
     */
    public static Map<String, String> checkpointsConfigs() {
        Map<String, String> m = recordLimit();
        m.put("cleanup.policy", "compact");
        return m;
    }

    /** A topic holding records up to the pipeline's limit; nothing else fixed. */
    private static Map<String, String> recordLimit() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("max.message.bytes", String.valueOf(KafkaLimits.MAX_MESSAGE_BYTES));
        return m;
    }

    /** Connect's internal topics must be compacted (Connect refuses to start otherwise). */
    private static Map<String, String> compacted() {
        return Map.of("cleanup.policy", "compact");
    }

    /**
     * Every topic of the pipeline with its default name and settings (the content of config/topics.properties):
     * the topology's, the connectors' and Kafka Connect's internal ones.
     */
    public static List<TopicSpec> all() {
        List<TopicSpec> out = new ArrayList<>(specs(Topics.COMMANDS, Topics.LAYERS, Topics.DEAD_LETTERS,
                Topics.CHECKPOINTS, 4, (short) -1));
        Map<String, String> blocks = recordLimit();
        blocks.put("cleanup.policy", "delete");
        out.add(new TopicSpec(BLOCKS, "vhdstream-blocks", 4, (short) -1, blocks));
        out.add(new TopicSpec(SOURCE_ERRORS, "vhdstream-source-errors", 1, (short) -1, recordLimit()));
        out.add(new TopicSpec(REPLICA_DLQ, "vhdstream-replica-dlq", 1, (short) -1, recordLimit()));
        // Connect's own defaults for its topics (configs must have exactly one partition).
        out.add(new TopicSpec(CONNECT_CONFIGS, "vhdstream-connect-configs", 1, (short) -1, compacted()));
        out.add(new TopicSpec(CONNECT_OFFSETS, "vhdstream-connect-offsets", 25, (short) -1, compacted()));
        out.add(new TopicSpec(CONNECT_STATUS, "vhdstream-connect-status", 5, (short) -1, compacted()));
        return out;
    }

    /** True for Kafka Connect's internal topics (created by {@code vhdstream topics} only with {@code --connect}). */
    public static boolean isConnectInternal(String role) {
        return role.startsWith("connect-");
    }

    public static List<TopicSpec> specs(TopologyConfig cfg) {
        return specs(cfg.commandsTopic(), cfg.layersTopic(), cfg.deadLetterTopic(), cfg.checkpointsTopic(),
                cfg.topicPartitions(), cfg.topicReplicationFactor());
    }

    public static List<TopicSpec> specs(String commands, String layers, String deadLetters, String checkpoints,
                                        int partitions, short rf) {
        return List.of(new TopicSpec(COMMANDS, commands, partitions, rf, commandsConfigs()),
                new TopicSpec(LAYERS, layers, partitions, rf, layersConfigs()),
                new TopicSpec(DEAD_LETTERS, deadLetters, partitions, rf, deadLetterConfigs()),
                new TopicSpec(CHECKPOINTS, checkpoints, partitions, rf, checkpointsConfigs()));
    }

    /**
     * Reads specs from properties: {@code <role>.name}, {@code <role>.partitions},
     * {@code <role>.replication.factor}, {@code <role>.config.<topic config>}.
     */
    public static List<TopicSpec> parse(Properties p) {
        List<TopicSpec> out = new ArrayList<>();
        for (String role : ROLES) {
            String name = p.getProperty(role + ".name");
            if (name == null) {
                continue;
            }
            Map<String, String> configs = new LinkedHashMap<>();
            String prefix = role + ".config.";
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith(prefix)) {
                    configs.put(k.substring(prefix.length()), p.getProperty(k));
                }
            }
            out.add(new TopicSpec(role, name, number(p, role + ".partitions", "1", 1),
                    (short) number(p, role + ".replication.factor", "-1", -1), configs));
        }
        return out;
    }

    /** A whole number of at least {@code min}; a CONFIG error naming the key otherwise. */
    private static int number(Properties p, String key, String dflt, int min) {
        String v = p.getProperty(key, dflt).trim();
        try {
            int n = Integer.parseInt(v);
            if (n >= min && (min > 0 || n != 0)) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new org.apache.kafka.common.config.ConfigException(key, v, min > 0 ? "a whole number of at least " + min
                : "-1 (the broker's default) or a whole number of at least 1");
    }

    /**
     * Creates the topics that do not exist (with their partitions, replication factor and configs) and returns
     * their names; existing topics are left as they are (check them with {@link TopicChecks#check}).
     */
    public static List<String> ensure(Admin admin, List<TopicSpec> specs) throws IOException {
        List<String> created = new ArrayList<>();
        try {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            for (TopicSpec s : specs) {
                if (existing.contains(s.name())) {
                    continue;
                }
                NewTopic t = new NewTopic(s.name(), Optional.of(s.partitions()),
                        s.replicationFactor() < 0 ? Optional.empty() : Optional.of(s.replicationFactor()))
                        .configs(s.configs());
                try {
                    admin.createTopics(List.of(t)).all().get(60, TimeUnit.SECONDS);
                    awaitVisible(admin, s.name());
                    log.info("created topic {} ({} partitions)", s.name(), s.partitions());
                    created.add(s.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw TopicChecks.problem("could not create topic " + s.name(), e.getCause());
                    }
                }
            }
        } catch (ExecutionException e) {
            throw TopicChecks.problem("could not list topics", e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "no answer within 60 s listing or creating topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating topics", e);
        }
        return created;
    }

    /**
     * Waits until the broker answers for a new topic: a topic whose creation has completed may still be unknown
     * to the next describe or client (metadata propagates asynchronously).
     */
    private static void awaitVisible(Admin admin, String topic) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("topic " + topic + " was created but is still unknown to the cluster after 30 s", e);
                }
                Thread.sleep(100);
            }
        }
    }
}
