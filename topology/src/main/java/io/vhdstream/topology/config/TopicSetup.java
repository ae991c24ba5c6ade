package io.vhdstream.topology.config;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
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
 * The topology's topics and their settings (config/topics.properties states the same, for operators who
 * create topics with kafka-topics.sh; a test keeps the two equal). The command topic keeps every record:
 * layers are rebuilt from it after a task moves, and {@code vhdstream rebuild} replays it from the start.
 */
public final class TopicSetup {
    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);
    public static final String COMMANDS = "commands";
    public static final String LAYERS = "layers";
    public static final String DEAD_LETTERS = "dead-letters";

    private TopicSetup() {
    }

    public static Map<String, String> commandsConfigs() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("max.message.bytes", String.valueOf(KafkaLimits.MAX_MESSAGE_BYTES));
        m.put("retention.ms", "-1");
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
        Map<String, String> m = new LinkedHashMap<>();
        m.put("max.message.bytes", String.valueOf(KafkaLimits.MAX_MESSAGE_BYTES));
        return m;
    }

    public static List<TopicSpec> specs(TopologyConfig cfg) {
        return specs(cfg.commandsTopic(), cfg.layersTopic(), cfg.deadLetterTopic(), cfg.topicPartitions(),
                cfg.topicReplicationFactor());
    }

    public static List<TopicSpec> specs(String commands, String layers, String deadLetters, int partitions, short rf) {
        return List.of(new TopicSpec(COMMANDS, commands, partitions, rf, commandsConfigs()),
                new TopicSpec(LAYERS, layers, partitions, rf, layersConfigs()),
                new TopicSpec(DEAD_LETTERS, deadLetters, partitions, rf, deadLetterConfigs()));
    }

    /**
     * Reads specs from properties: {@code <role>.name}, {@code <role>.partitions},
     * {@code <role>.replication.factor}, {@code <role>.config.<topic config>}.
     */
    public static List<TopicSpec> parse(Properties p) {
        List<TopicSpec> out = new ArrayList<>();
        for (String role : List.of(COMMANDS, LAYERS, DEAD_LETTERS)) {
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
            out.add(new TopicSpec(role, name, Integer.parseInt(p.getProperty(role + ".partitions", "1")),
                    Short.parseShort(p.getProperty(role + ".replication.factor", "-1")), configs));
        }
        return out;
    }

    /**
     * Creates the topics that do not exist; for existing ones, warns where their settings differ from the
     * specs in a way that matters (retention of the command topic, record size limits).
     */
    public static void ensure(Admin admin, List<TopicSpec> specs) throws IOException {
        try {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            for (TopicSpec s : specs) {
                if (existing.contains(s.name())) {
                    checkExisting(admin, s);
                    continue;
                }
                NewTopic t = new NewTopic(s.name(), Optional.of(s.partitions()),
                        s.replicationFactor() < 0 ? Optional.empty() : Optional.of(s.replicationFactor()))
                        .configs(s.configs());
                try {
                    admin.createTopics(List.of(t)).all().get(60, TimeUnit.SECONDS);
                    awaitVisible(admin, s.name());
                    log.info("created topic {} ({} partitions)", s.name(), s.partitions());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IOException("could not create topic " + s.name() + ": " + e.getCause().getMessage(), e);
                    }
                }
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not list or check topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating topics", e);
        }
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

    private static void checkExisting(Admin admin, TopicSpec s) throws ExecutionException, InterruptedException,
            java.util.concurrent.TimeoutException {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, s.name());
        Config c = admin.describeConfigs(List.of(r)).all().get(60, TimeUnit.SECONDS).get(r);
        for (Map.Entry<String, String> want : s.configs().entrySet()) {
            ConfigEntry have = c.get(want.getKey());
            if (have == null || want.getValue().equals(have.value())) {
                continue;
            }
            boolean tooSmall = want.getKey().equals("max.message.bytes")
                    && Long.parseLong(have.value()) < Long.parseLong(want.getValue());
            boolean finite = want.getKey().startsWith("retention.") && s.role().equals(COMMANDS);
            if (tooSmall || finite) {
                log.warn("topic {} has {}={} (vhdstream expects {}): {}", s.name(), want.getKey(), have.value(),
                        want.getValue(), finite ? "layers can only be rebuilt while the topic still holds every command"
                                : "records with large writes will be refused");
            }
        }
    }
}
