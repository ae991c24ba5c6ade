package io.vhdstream.topology.support;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.deadletter.DeadLetter;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.DiskTopology;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.store.LayerStore;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

/** A TopologyTestDriver over a layers directory, with typed input and outputs. */
public final class Driver implements AutoCloseable {
    public static final Instant START = Instant.ofEpochMilli(1_700_000_000_000L);
    public final Path layersDir;
    public final TopologyTestDriver driver;
    public final TestInputTopic<byte[], byte[]> input;
    public final TestOutputTopic<byte[], LayerEvent> layers;
    public final TestOutputTopic<byte[], DeadLetter> deadLetters;
    public final TestOutputTopic<byte[], byte[]> checkpoints;
    private final io.vhdstream.schemas.serde.AvroSerde<DiskCommand> serde = AvroSerdes.diskCommand();

    public Driver(Path work) {
        this(work, work.resolve("layers"));
    }

    public Driver(Path work, Path layersDir) {
        this(work, layersDir, new Properties());
    }

    /** With extra settings ({@code vhdstream.*} or Streams'). */
    public Driver(Path work, Path layersDir, Properties extra) {
        this(work, layersDir, extra, InputLogs.nothingToRestore());
    }

    /** With extra settings and what the stores learn of the input's offsets and the group's ({@code inputLogs}). */
    public Driver(Path work, Path layersDir, Properties extra, io.vhdstream.topology.recovery.InputLog.Factory inputLogs) {
        this.layersDir = layersDir;
        Properties p = new Properties();
        p.putAll(extra);
        p.put("application.id", "vhdstream-ttd");
        p.put("bootstrap.servers", "unused:9092");
        p.put("state.dir", work.resolve("streams-state").toString());
        p.put(TopologyConfig.LAYERS_DIR_CONFIG, layersDir.toString());
        TopologyConfig cfg = TopologyConfig.of(p);
        driver = new TopologyTestDriver(DiskTopology.build(cfg, inputLogs, CheckpointLogs.empty()), cfg.streamsProperties());
        input = driver.createInputTopic(Topics.COMMANDS, new ByteArraySerializer(), new ByteArraySerializer(), START,
                Duration.ofMillis(1));
        layers = driver.createOutputTopic(Topics.LAYERS, new ByteArrayDeserializer(), AvroSerdes.layerEvent().deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS, new ByteArrayDeserializer(),
                AvroSerdes.deadLetter().deserializer());
        checkpoints = driver.createOutputTopic(Topics.CHECKPOINTS, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public void pipe(DiskCommand c) {
        input.pipeInput(c.getDiskId().getBytes(StandardCharsets.UTF_8), serde.serialize(Topics.COMMANDS, c));
    }

    public void pipeAll(List<DiskCommand> cs) {
        cs.forEach(this::pipe);
    }

    public void pipeRaw(byte[] key, byte[] value) {
        input.pipeInput(key, value);
    }

    public byte[] encode(DiskCommand c) {
        return serde.serialize(Topics.COMMANDS, c);
    }

    public List<TestRecord<byte[], LayerEvent>> layerEvents() {
        return layers.readRecordsToList();
    }

    public List<TestRecord<byte[], DeadLetter>> deadLetters() {
        return deadLetters.readRecordsToList();
    }

    public LayerStore store() {
        return (LayerStore) driver.getStateStore(Topics.LAYER_STORE);
    }

    public Path diskDir(String diskId) {
        return layersDir.resolve(diskId);
    }

    @Override
    public void close() {
        driver.close();
    }
}
