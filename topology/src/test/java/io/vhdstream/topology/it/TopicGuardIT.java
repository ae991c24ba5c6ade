package io.vhdstream.topology.it;

import io.vhdstream.topology.app.TopologyApp;
import io.vhdstream.topology.config.ClusterProblem;
import io.vhdstream.topology.config.TopicSetup;
import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.support.SharedBroker;
import io.vhdstream.topology.support.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The topology refuses to start against topics that would break it, in one line naming the fix, before Kafka
 * Streams runs: missing topics, a compacted command topic, and a command topic whose partition count changed
 * after disks were created (else every later command of those disks would be rejected as KEY_MISMATCH).
 */
class TopicGuardIT {
    @TempDir
    Path work;

    Properties props(String prefix) {
        return props(work, prefix);
    }

    /** A topology's settings with its own topics ({@code <prefix>-commands}, ...) and directories under {@code work}. */
    static Properties props(Path work, String prefix) {
        Properties p = new Properties();
        p.put("application.id", prefix + "-app");
        p.put("state.dir", work.resolve("state").toString());
        p.put(TopologyConfig.LAYERS_DIR_CONFIG, work.resolve("layers").toString());
        p.put(TopologyConfig.COMMANDS_TOPIC_CONFIG, prefix + "-commands");
        p.put(TopologyConfig.LAYERS_TOPIC_CONFIG, prefix + "-layers");
        p.put(TopologyConfig.DEAD_LETTER_TOPIC_CONFIG, prefix + "-dead-letters");
        p.put(TopologyConfig.CHECKPOINTS_TOPIC_CONFIG, TestBroker.checkpointsFor(prefix + "-commands"));
        return p;
    }

    static ClusterProblem refused(Properties p) throws Exception {
        p.put("bootstrap.servers", SharedBroker.get().bootstrapServers());
        ClusterProblem e = assertThrows(ClusterProblem.class, () -> TopologyApp.start(p).close());
        assertEquals(ClusterProblem.Kind.TOPICS, e.kind());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void missingTopicsNameBothFixes() throws Exception {
        String m = refused(props("guard1")).getMessage();
        assertTrue(m.startsWith("topic guard1-commands: does not exist (and 3 more problems)"), m);
        assertTrue(m.contains("vhdstream topics create") && m.contains("vhdstream.topics.create=true"), m);
    }

    @Test
    void aCompactedCommandTopicIsRefused() throws Exception {
        TestBroker b = SharedBroker.get();
        b.createTopics("guard2-unused", "guard2-layers", "guard2-dead-letters", 1);
        try (Admin a = b.admin()) {
            a.createTopics(List.of(new NewTopic("guard2-commands", Optional.of(1), Optional.empty())
                    .configs(Map.of("cleanup.policy", "compact", "max.message.bytes", "2097152", "retention.ms", "-1",
                            "retention.bytes", "-1")),
                    new NewTopic(TestBroker.checkpointsFor("guard2-commands"), Optional.of(1), Optional.empty())
                            .configs(TopicSetup.checkpointsConfigs()))).all().get(30, TimeUnit.SECONDS);
        }
        String m = refused(props("guard2")).getMessage();
        assertTrue(m.startsWith("topic guard2-commands: cleanup.policy=compact, needs delete"), m);
        assertFalse(m.contains("vhdstream.topics.create"), "creating topics would not help: " + m);
    }

    @Test
    void aChangedPartitionCountIsDetectedBeforeAnyCommand() throws Exception {
        TestBroker b = SharedBroker.get();
        b.createTopics("guard3-commands", "guard3-layers", "guard3-dead-letters", 3);
        // A disk created when the topic had one partition (partition 0) that the default partitioner now sends elsewhere.
        String disk = "vm-0";
        for (int i = 1; partition(disk, 3) == 0; i++) {
            disk = "vm-" + i;
        }
        Path dir = work.resolve("layers").resolve(LayerNames.diskDir(disk));
        Files.createDirectories(dir);
        DiskState.created(disk, new Position("guard3-commands", 0, 5, 0L), 1 << 20, 2 << 20)
                .write(dir.resolve(LayerNames.STATE));
        String m = refused(props("guard3")).getMessage();
        assertTrue(m.contains("has 3 partitions, but disk '" + disk + "'") && m.contains("came from partition 0")
                && m.contains("would now go to partition " + partition(disk, 3)), m);

        // The same disk in the partition it maps to is fine (the topology then starts).
        DiskState.created(disk, new Position("guard3-commands", partition(disk, 3), 5, 0L), 1 << 20, 2 << 20)
                .write(dir.resolve(LayerNames.STATE));
        Properties p = props("guard3");
        p.put("bootstrap.servers", b.bootstrapServers());
        try (TopologyApp app = TopologyApp.start(p)) {
            assertTrue(app.awaitRunning(java.time.Duration.ofSeconds(90)), "started");
        }
    }

    static int partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
