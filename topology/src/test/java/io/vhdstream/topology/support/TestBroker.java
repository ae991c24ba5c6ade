package io.vhdstream.topology.support;

import io.vhdstream.topology.config.KafkaLimits;
import io.vhdstream.topology.config.TopicSetup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node KRaft cluster (broker and controller combined) in this JVM, with the settings
 * exactly-once Streams needs on one broker and the record size limits of {@link KafkaLimits}.
 */
public final class TestBroker implements AutoCloseable {
    private final KafkaClusterTestKit kit;

    private TestBroker(KafkaClusterTestKit kit) {
        this.kit = kit;
    }

    public static TestBroker start() throws Exception {
        return start(Map.of());
    }

    /** A broker with {@code extra} broker settings over the usual ones (e.g. an authorizer). */
    public static TestBroker start(Map<String, String> extra) throws Exception {
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("the test broker wanted to exit (" + status + "): " + message);
        });
        Exit.setHaltProcedure((status, message) -> {
            throw new IllegalStateException("the test broker wanted to halt (" + status + "): " + message);
        });
        Map<String, Short> features = new TreeMap<>();
        for (Feature f : Feature.PRODUCTION_FEATURES) {
            features.put(f.featureName(), f.defaultLevel(MetadataVersion.LATEST_PRODUCTION));
        }
        TestKitNodes nodes = new TestKitNodes.Builder(BootstrapMetadata.fromVersions(MetadataVersion.LATEST_PRODUCTION,
                features, "vhdstream-test"))
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build();
        KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes);
        Map<String, String> props = new HashMap<>();
        props.put("unstable.api.versions.enable", "false");
        props.put("unstable.feature.versions.enable", "false");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "2");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "2");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("message.max.bytes", String.valueOf(KafkaLimits.MAX_MESSAGE_BYTES));
        props.put("replica.fetch.max.bytes", String.valueOf(KafkaLimits.MAX_MESSAGE_BYTES));
        props.put("auto.create.topics.enable", "false");
        props.put("num.partitions", "1");
        props.putAll(extra);
        props.forEach(b::setConfigProp);
        KafkaClusterTestKit kit = b.build();
        kit.format();
        kit.startup();
        kit.waitForReadyBrokers();
        return new TestBroker(kit);
    }

    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /**
     * Creates the topology's four topics with the settings of {@link TopicSetup}; the checkpoint topic is named
     * {@link #checkpointsFor}({@code commands}).
     */
    public void createTopics(String commands, String layers, String deadLetters, int partitions) throws Exception {
        try (Admin a = admin()) {
            TopicSetup.ensure(a, TopicSetup.specs(commands, layers, deadLetters, checkpointsFor(commands), partitions,
                    (short) 1));
        }
    }

    /** The checkpoint topic that goes with a test's command topic (the default name for the default topic). */
    public static String checkpointsFor(String commands) {
        return commands.equals(io.vhdstream.topology.Topics.COMMANDS) ? io.vhdstream.topology.Topics.CHECKPOINTS
                : commands + "-checkpoints";
    }

    /** End offsets of a topic's partitions. */
    public Map<TopicPartition, Long> endOffsets(String topic, int partitions) throws Exception {
        try (Admin a = admin()) {
            Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                q.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> out = new HashMap<>();
            a.listOffsets(q).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        }
    }

    /** The group's committed offsets (stable only: committed transactions). */
    public Map<TopicPartition, Long> committedOffsets(String groupId) throws Exception {
        return committedOffsets(groupId, true);
    }

    /** With {@code stable} false, also partitions with a transaction in flight (their last stable offset). */
    public Map<TopicPartition, Long> committedOffsets(String groupId, boolean stable) throws Exception {
        try (Admin a = admin()) {
            Map<TopicPartition, OffsetAndMetadata> m = a.listConsumerGroupOffsets(groupId,
                    new ListConsumerGroupOffsetsOptions().requireStable(stable)).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new HashMap<>();
            m.forEach((tp, om) -> {
                if (om != null) {
                    out.put(tp, om.offset());
                }
            });
            return out;
        }
    }

    @Override
    public void close() {
        try {
            kit.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the test broker", e);
        }
    }
}
