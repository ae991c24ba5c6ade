package io.vhdstream.cli.kafka;

import io.vhdstream.topology.config.ClusterConnection;
import io.vhdstream.topology.config.TopicChecks;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.rebuild.Rebuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The command topic as the verbs reach it: only after the cluster has answered and the topic is known to
 * exist, so that a stopped broker or a missing topic is one clear line within seconds, not a client waiting
 * out its timeouts. Kept out of the verb classes (picocli reflects over them at start-up).
 */
public final class CommandLog {
    private CommandLog() {
    }

    /** A producer to {@code topic} with the verb's client settings. */
    public static WorkloadProducer producer(KafkaClientOptions kafka, String topic) throws IOException {
        return producer(checked(kafka, topic), topic);
    }

    /** A producer to {@code topic} with settings {@link #checked} already (the topic exists). */
    static WorkloadProducer producer(Map<String, Object> checkedSettings, String topic) throws IOException {
        return WorkloadProducer.connect(checkedSettings, topic);
    }

    /** A rebuild of {@code disk} from {@code topic}, with the verb's client settings. */
    static Rebuilder.Request rebuildRequest(KafkaClientOptions kafka, String topic, String disk, String until, Path out)
            throws IOException {
        return Rebuilder.Request.of(checked(kafka, topic), disk, until, out).withTopic(topic);
    }

    /** The verb's client settings, once the cluster has answered and {@code topic} exists. */
    public static Map<String, Object> checked(KafkaClientOptions kafka, String topic) throws IOException {
        return checked(kafka.clientSettings(), topic, kafka::progress);
    }

    /** {@code settings} (checked client settings), once the cluster has answered and {@code topic} exists. */
    public static Map<String, Object> checked(Map<String, Object> settings, String topic, Consumer<String> progress)
            throws IOException {
        try (ClusterConnection cluster = ClusterConnection.open(settings, ClusterConnection.COMMAND_WAIT, progress)) {
            TopicChecks.requireExists(cluster.admin(), topic);
        }
        return settings;
    }
}
