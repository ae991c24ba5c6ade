package io.vhdstream.topology.config;

import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Write;
import io.vhdstream.schemas.deadletter.DeadLetter;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.schemas.checkpoint.BaseChunk;
import io.vhdstream.schemas.checkpoint.Checkpoint;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.checkpoint.BaseChunks;
import io.vhdstream.topology.checkpoint.CheckpointKeys;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config/topology.properties and config/topics.properties agree with the code and with each other. */
class ConfigFilesTest {
    static final Path REPO = Path.of(System.getProperty("vhdstream.repo.dir", ".."));
    /** Kafka's per-record overhead in a batch of one, generously: batch header 61 + record header ~25. */
    static final int RECORD_OVERHEAD = 128;

    static Properties topology() throws Exception {
        return TopologyConfig.load(REPO.resolve("config/topology.properties"));
    }

    @Test
    void theTopologyFileIsValidAndStatesTheCodeDefaults() throws Exception {
        Properties file = topology();
        TopologyConfig cfg = TopologyConfig.of(file);
        Properties defaults = TopologyConfig.streamsDefaults();
        for (String k : defaults.stringPropertyNames()) {
            assertEquals(defaults.getProperty(k), file.getProperty(k), "config/topology.properties: " + k);
        }
        for (ConfigDef.ConfigKey key : TopologyConfig.CONFIG.configKeys().values()) {
            assertTrue(file.containsKey(key.name), "config/topology.properties sets " + key.name);
            if (key.hasDefault() && key.defaultValue != null) {
                assertEquals(String.valueOf(key.defaultValue), file.getProperty(key.name), key.name + " states the default");
            }
        }
        for (String k : file.stringPropertyNames()) {
            if (k.startsWith(TopologyConfig.PREFIX)) {
                assertTrue(TopologyConfig.CONFIG.names().contains(k), "unknown setting " + k);
            }
        }
        assertEquals("exactly_once_v2", cfg.streamsProperties().getProperty("processing.guarantee"));
    }

    @Test
    void everySettingIsDocumented() {
        for (ConfigDef.ConfigKey key : TopologyConfig.CONFIG.configKeys().values()) {
            assertTrue(key.documentation != null && key.documentation.length() > 20, key.name + " has documentation");
        }
        assertTrue(TopologyConfig.toRst().contains(TopologyConfig.LAYERS_DIR_CONFIG));
    }

    @Test
    void theLayersDirectoryMayNotBeInsideTheStateDirectory() {
        Properties p = new Properties();
        p.put("application.id", "x");
        p.put("bootstrap.servers", "x:1");
        p.put("state.dir", "/var/lib/vhdstream/state");
        p.put(TopologyConfig.LAYERS_DIR_CONFIG, "/var/lib/vhdstream/state/layers");
        assertThrows(ConfigException.class, () -> TopologyConfig.of(p));
        p.remove(TopologyConfig.LAYERS_DIR_CONFIG);
        assertThrows(ConfigException.class, () -> TopologyConfig.of(p), "the layers directory is required");
        p.put(TopologyConfig.LAYERS_DIR_CONFIG, "/var/lib/vhdstream/layers");
        assertEquals(Path.of("/var/lib/vhdstream/layers"), TopologyConfig.of(p).layersDir());
    }

    @Test
    void handlersThatSkipRecordsAreRefused() {
        Properties p = new Properties();
        p.put("application.id", "x");
        p.put("bootstrap.servers", "x:1");
        p.put(TopologyConfig.LAYERS_DIR_CONFIG, "/var/lib/vhdstream/layers");
        p.put("processing.exception.handler", "org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler");
        assertThrows(ConfigException.class, () -> TopologyConfig.of(p));
        p.put("processing.exception.handler", "org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler");
        TopologyConfig.of(p);
        p.put("production.exception.handler", "com.example.Ignore");
        assertThrows(ConfigException.class, () -> TopologyConfig.of(p));
    }

    @Test
    void theTopicsFileIsWhatTopicSetupCreates() throws Exception {
        List<TopicSpec> all = TopicSetup.parse(TopologyConfig.load(REPO.resolve("config/topics.properties")));
        assertEquals(TopicSetup.all(), all, "config/topics.properties states every topic vhdstream topics creates");
        List<TopicSpec> file = all.stream().filter(s -> TopicSetup.TOPOLOGY_ROLES.contains(s.role())).toList();
        TopologyConfig cfg = TopologyConfig.of(topology());
        assertEquals(TopicSetup.specs(cfg), file);
        assertEquals(List.of(Topics.COMMANDS, Topics.LAYERS, Topics.DEAD_LETTERS, Topics.CHECKPOINTS), file.stream().map(TopicSpec::name).toList());
        assertEquals(TopicSetup.COMMANDS_RETENTION_MS, file.get(0).configs().get("retention.ms"),
                "the command topic keeps 30 days (recovery and rebuild start from the checkpoint)");
        assertEquals("-1", file.get(0).configs().get("retention.bytes"));
    }

    @Test
    void recordSizeLimitsFitTheLargestRecordsEverywhere() throws Exception {
        Properties t = topology();
        List<TopicSpec> topics = TopicSetup.parse(TopologyConfig.load(REPO.resolve("config/topics.properties")));
        int maxRequest = Integer.parseInt(t.getProperty("producer.max.request.size"));
        int batch = Integer.parseInt(t.getProperty("producer.batch.size"));
        int partitionFetch = Integer.parseInt(t.getProperty("consumer.max.partition.fetch.bytes"));

        // the largest legitimate Write: 512 KiB of data, the longest disk id, a sequence number
        String longestId = "\u00e9".repeat(100);
        DiskCommand w = new DiskCommand(longestId, Long.MAX_VALUE, Instant.now(),
                new Write(Long.MAX_VALUE, ByteBuffer.allocate(Limits.MAX_WRITE_BYTES)));
        int write = AvroSerdes.diskCommand().serialize("t", w).length + longestId.getBytes().length + RECORD_OVERHEAD;
        // the largest dead letter: the original value carried whole, a long message
        DeadLetter dl = DeadLetter.newBuilder().setDiskId(longestId).setSourceTopic(Topics.COMMANDS).setSourcePartition(0)
                .setSourceOffset(Long.MAX_VALUE).setReasonCode("WRITE_TOO_LARGE").setMessage("m".repeat(2000))
                .setRejectedAt(Instant.now()).setOriginalKey(ByteBuffer.allocate(200))
                .setOriginalValue(ByteBuffer.allocate(Limits.MAX_DEAD_LETTER_ORIGINAL_BYTES))
                .setOriginalValueSize(Long.MAX_VALUE).build();
        int deadLetter = AvroSerdes.deadLetter().serialize("t", dl).length + 200 + RECORD_OVERHEAD;

        // the largest checkpoint record: a chunk whose every sector is present
        int sectors = BaseChunks.CHUNK_SIZE / Limits.SECTOR;
        byte[] chunkKey = CheckpointKeys.chunk(Integer.MAX_VALUE, longestId, Long.MAX_VALUE);
        Checkpoint chunk = new Checkpoint(BaseChunk.newBuilder().setDiskId(longestId).setIndex(Long.MAX_VALUE)
                .setChunkSize(BaseChunks.CHUNK_SIZE).setMergeOffset(Long.MAX_VALUE).setVirtualSize(Long.MAX_VALUE)
                .setBlockSize(Integer.MAX_VALUE).setCreatedOffset(Long.MAX_VALUE).setCreatedAt(Long.MAX_VALUE)
                .setSectors(ByteBuffer.allocate(sectors / 8)).setData(ByteBuffer.allocate(BaseChunks.CHUNK_SIZE)).build());
        int checkpoint = AvroSerdes.checkpoint().serialize("t", chunk).length + chunkKey.length + RECORD_OVERHEAD;

        assertTrue(checkpoint <= maxRequest, "a full base chunk (" + checkpoint + " bytes) fits producer.max.request.size");
        assertTrue(write <= maxRequest, "a max-size Write (" + write + " bytes) fits producer.max.request.size");
        assertTrue(deadLetter <= maxRequest, "a max-size dead letter (" + deadLetter + ") fits producer.max.request.size");
        assertTrue(write <= batch, "a max-size Write fits a batch");
        assertTrue(batch <= maxRequest, "batch.size <= max.request.size");
        for (TopicSpec s : topics) {
            if (TopicSetup.isConnectInternal(s.role())) {
                continue;   // Connect's own records are small
            }
            int topicMax = Integer.parseInt(s.configs().get("max.message.bytes"));
            assertTrue(maxRequest <= topicMax, s.name() + ": max.message.bytes >= producer.max.request.size");
            assertTrue(partitionFetch >= topicMax, s.name() + ": max.partition.fetch.bytes >= max.message.bytes");
        }
        assertEquals(KafkaLimits.MAX_MESSAGE_BYTES, maxRequest);
        assertFalse(KafkaLimits.producer().isEmpty());
    }
}
