package io.vhdstream.topology.it;

import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.produce.WorkloadSpec;
import io.vhdstream.topology.store.OffsetsFile;
import io.vhdstream.topology.support.ChildApp;
import io.vhdstream.topology.support.LayerEvents;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.topology.support.Scenario;
import io.vhdstream.topology.support.SharedBroker;
import io.vhdstream.topology.support.TestBroker;
import io.vhdstream.topology.support.TopologySettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lost layer directory recovered by the application in a child JVM, which is killed with SIGKILL in the
 * middle of the recovery and started again: the second start resumes from the last checkpoint the first one
 * made (not from offset 0), the recovery publishes nothing, and the layers end byte-identical to the same
 * commands applied straight through (and every layer checks clean).
 */
class RecoveryKillIT {
    static final long MIB = 1 << 20;
    static final String APP = "recovery-kill-it";
    static final Pattern REPLAYING = Pattern.compile("replaying input offsets \\[(\\d+), (\\d+)\\)");
    static final Pattern REPLAYED = Pattern.compile("recovered the layers of .*: replayed (\\d+) commands");

    @TempDir
    Path work;

    @Test
    void aRecoveryKilledMidwayResumesWhereItsCheckpointIs() throws Exception {
        TestBroker broker = SharedBroker.get();
        Properties p = TopologySettings.withTopics(broker, "recovery-kill", APP, work, 1);
        String cmds = TopologySettings.commands(p);
        TopicPartition input = new TopicPartition(cmds, 0);
        Scenario sc = new Scenario();
        for (String id : List.of("rk-a", "rk-b")) {
            sc.add(new WorkloadSpec(id, 32 * MIB, 1 << 20, 5 * MIB / 2, 512, 0.5, 0.02, MIB, 2, id.hashCode(), "s"));
        }
        Path layers = TopologySettings.layers(p);
        // Streams checkpoints a restoring store every commit interval. The restore consumer is slowed down with
        // ordinary client settings (16 KiB per fetch, and a fetch waits 25 ms for a megabyte that a 16 KiB
        // partition limit never lets arrive), so that the ~10,000 commands take seconds to replay and the kill
        // lands in the middle on any machine.
        p.put("commit.interval.ms", "100");
        p.put("restore.consumer.max.partition.fetch.bytes", "16384");
        p.put("restore.consumer.fetch.min.bytes", String.valueOf(MIB));
        p.put("restore.consumer.fetch.max.wait.ms", "25");
        Path props = ChildApp.write(p, work.resolve("topology.properties"));
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "recovery-kill-it-child.log");
        Files.deleteIfExists(log);
        Path offsets = layers.resolve(LayerNames.OFFSETS_DIR).resolve(LayerNames.offsetsFile(cmds, 0));

        long end;
        try (WorkloadProducer producer = WorkloadProducer.connect(broker.bootstrapServers(), cmds, Map.of())) {
            producer.sendAll(sc.commands());
            producer.flush();
            end = producer.sent();
        }
        // What an instance that processed everything had before its layer directory was lost: the same commands
        // applied straight through, in the same place (layers name their parents by absolute path too), and the
        // group's offset at the end.
        Map<String, String> expected = appliedStraightThrough(broker, input, end, layers);
        StoreRebuildIT.deleteTree(layers);
        try (Admin a = broker.admin()) {
            a.alterConsumerGroupOffsets(APP, Map.of(input, new OffsetAndMetadata(end))).all().get(30, TimeUnit.SECONDS);
        }

        try (LayerEvents out = TopologySettings.events(p, 1)) {
            // 1. The next instance recovers the layers and is killed in the middle of that.
            long killedAt;
            try (ChildApp app = ChildApp.start(props, log)) {
                killedAt = awaitCheckpointBetween(app, offsets, end / 10, end * 7 / 10);
                app.kill();
                assertTrue(!app.states().contains("RUNNING"), "killed before it ran: " + app.states());
            }
            long durable = OffsetsFile.read(offsets);
            assertTrue(durable >= killedAt && durable < end, "checkpoint " + durable + " after the kill");

            // 2. The next start resumes the recovery from that checkpoint, then runs.
            long linesBefore = Files.readAllLines(log).size();
            try (ChildApp app = ChildApp.start(props, log)) {
                app.awaitRunning(Duration.ofSeconds(120));
                List<String> lines = Files.readAllLines(log).subList((int) linesBefore, Files.readAllLines(log).size());
                long[] range = replayRange(lines);
                assertEquals(durable, range[0], "resumed from the last checkpoint: " + List.of(range[0], range[1]));
                assertEquals(end, range[1]);
                // The input has no transaction markers: one command per offset. Streams really replayed only the rest.
                assertEquals(end - durable, replayed(lines), "commands Kafka Streams replayed after the restart");
                int exit = app.stop();
                assertTrue(exit == 0 || exit == 143, "clean stop, exit " + exit);
            }
            assertEquals(end, OffsetsFile.read(offsets));
            assertEquals(0, LayerEvents.sealedCount(out.awaitLayers(es -> false, Duration.ofSeconds(1))),
                    "the recovery published nothing");
        }
        Map<String, String> recovered = Layers.fileHashes(layers);
        recovered.keySet().removeIf(k -> k.startsWith(LayerNames.OFFSETS_DIR));
        assertEquals(expected, recovered, "the recovered layers are the layers of a straight run, byte for byte");
        assertTrue(expected.keySet().stream().filter(k -> k.endsWith(".vhd")).count() >= 6, expected.keySet().toString());
        try (Stream<Path> s = Files.walk(layers)) {
            for (Path f : (Iterable<Path>) s.filter(x -> x.toString().endsWith(".vhd"))::iterator) {
                Layers.assertClean(f);
            }
        }
    }

    /** The partition's records applied with {@link DiskLayers} in this JVM into {@code dir}; its files' hashes. */
    private static Map<String, String> appliedStraightThrough(TestBroker broker, TopicPartition tp, long end, Path dir)
            throws Exception {
        try (DiskLayers layers = DiskLayers.under(dir, 8);
             KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                     broker.bootstrapServers(), ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                     ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    layers.applyRecord(r.key(), r.value(), new Position(r.topic(), r.partition(), r.offset(), r.timestamp()),
                            false, DiskLayers.DISCARD);
                }
            }
            layers.sync();
        }
        return Layers.fileHashes(dir);
    }

    /** Waits until the recovering child has checkpointed an offset in [low, high]; fails if it got past high first. */
    private static long awaitCheckpointBetween(ChildApp app, Path offsets, long low, long high) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Long at = Files.exists(offsets) ? readQuietly(offsets) : null;
            if (at != null && at >= low) {
                assertTrue(at <= high, "the recovery checkpointed " + at + " before the test saw a point in [" + low
                        + ", " + high + "]");
                return at;
            }
            assertTrue(app.alive(), "the child died");
            Thread.sleep(2);
        }
        throw new AssertionError("no checkpoint in [" + low + ", " + high + "] within 2 minutes");
    }

    private static Long readQuietly(Path offsets) {
        try {
            return OffsetsFile.read(offsets);
        } catch (java.io.IOException | RuntimeException e) {
            return null;   // being replaced
        }
    }

    private static long replayed(List<String> lines) {
        for (String l : lines) {
            Matcher m = REPLAYED.matcher(l);
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        throw new AssertionError("no recovery end in the child's log: " + lines);
    }

    private static long[] replayRange(List<String> lines) {
        for (String l : lines) {
            Matcher m = REPLAYING.matcher(l);
            if (m.find()) {
                return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
            }
        }
        throw new AssertionError("no recovery announced in the child's log: " + lines);
    }
}
