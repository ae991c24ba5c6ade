package io.vhdstream.nbd;

import io.vhdstream.embedded.EmbeddedBroker;
import io.vhdstream.nbd.admin.SnapshotRequest;
import io.vhdstream.nbd.server.ServerSettings;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Write;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.Position;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Read-write exports against a real broker: qemu-img and qemu-io write through NBD, the writes are Write and
 * Trim commands in the log (applied by the topology's own layer code they equal what the client wrote, at a
 * snapshot taken through the admin endpoint), and a restarted server reads them back from the log.
 */
class JournalIT {
    static final int MIB = 1024 * 1024;
    @TempDir
    static Path tmp;
    static EmbeddedBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        assertTrue(Tools.installed("qemu-img") && Tools.installed("qemu-io"),
                "qemu-utils is needed (./run-tests installs them)");
        broker = EmbeddedBroker.start(tmp.resolve("kafka"), 0);
        broker.createTopics(Map.of(Topics.COMMANDS, 3));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    static NbdService start(Path state, Map<String, Long> create, List<String> disks, List<Path> layers) throws Exception {
        return NbdService.start(new NbdService.Config(ServerSettings.localhost(0), new HashMap<>(broker.clientSettings()),
                Topics.COMMANDS, state, create, disks, layers, null, new java.net.InetSocketAddress("127.0.0.1", 0)));
    }

    @Test
    void writesGoThroughTheLogAndSurviveARestart() throws Exception {
        byte[] src = new byte[32 * MIB];
        Random rnd = new Random(5);
        for (int i = 0; i < 40; i++) {   // data islands in zeros: convert sends WRITE and WRITE_ZEROES
            int at = rnd.nextInt(src.length / 4096 - 64) * 4096;
            byte[] d = new byte[4096 * (1 + rnd.nextInt(64))];
            rnd.nextBytes(d);
            System.arraycopy(d, 0, src, at, d.length);
        }
        Path srcFile = tmp.resolve("src.raw");
        Files.write(srcFile, src);
        Path state = tmp.resolve("state");
        Path layers = tmp.resolve("layers");
        String url;
        try (NbdService s = start(state, Map.of("vm", 32L * MIB), List.of(), List.of(layers))) {
            url = "nbd://127.0.0.1:" + s.port() + "/vm";
            Tools.ok("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", srcFile.toString(), url);
            Tools.ok("qemu-img", "compare", "-f", "raw", "-F", "raw", url, srcFile.toString());
            // random writes, a zeroed range and a discard, each read back at once (read-your-writes)
            Tools.ok("qemu-io", "-f", "raw", "-c", "write -P 0xab 1M 64k", "-c", "write -z 3M 1M", "-c", "discard 5M 512k",
                    "-c", "write -f -P 0xcd 7M 8k", "-c", "read -P 0xab 1M 64k", "-c", "read -P 0 3M 1M",
                    "-c", "read -P 0 5M 512k", "-c", "read -P 0xcd 7M 8k", "-c", "flush", url);
            apply(src, 1 * MIB, 64 * 1024, (byte) 0xab);
            apply(src, 3 * MIB, MIB, (byte) 0);
            apply(src, 5 * MIB, 512 * 1024, (byte) 0);
            apply(src, 7 * MIB, 8 * 1024, (byte) 0xcd);
            Files.write(srcFile, src);
            Tools.ok("qemu-img", "compare", "-f", "raw", "-F", "raw", url, srcFile.toString());

            SnapshotRequest.Answer a = SnapshotRequest.send(s.adminAddress(), "vm", "after-io", "test");
            assertTrue(a.ok(), a.text());
            SnapshotRequest.Answer missing = SnapshotRequest.send(s.adminAddress(), "nope", "x", null);
            assertEquals(404, missing.status(), missing.text());
        }
        // The log, applied by the topology's own code, is what the client wrote at the snapshot.
        long writes = applyLog(layers);
        assertTrue(writes > 0);
        try (NbdService s = start(tmp.resolve("state-ro"), Map.of(), List.of(), List.of(layers))) {
            Tools.ok("qemu-img", "compare", "-f", "raw", "-F", "raw", "nbd://127.0.0.1:" + s.port() + "/vm@after-io",
                    srcFile.toString());
        }
        // A restart reconciles with the log; so does a server with no local state at all.
        for (Path st : List.of(state, tmp.resolve("state-fresh"))) {
            try (NbdService s = start(st, Map.of(), List.of("vm"), List.of())) {
                Tools.ok("qemu-img", "compare", "-f", "raw", "-F", "raw", "nbd://127.0.0.1:" + s.port() + "/vm", srcFile.toString());
            }
        }
    }

    @Test
    void scheduledSnapshotsCutChangedDisksOnly() throws Exception {
        try (NbdService s = NbdService.start(new NbdService.Config(ServerSettings.localhost(0),
                new HashMap<>(broker.clientSettings()), Topics.COMMANDS, tmp.resolve("state-sched"), Map.of("sched", 1L * MIB),
                List.of(), List.of(), Duration.ofSeconds(1), new java.net.InetSocketAddress("127.0.0.1", 0)))) {
            Tools.ok("qemu-io", "-f", "raw", "-c", "write -P 0x11 0 64k", "nbd://127.0.0.1:" + s.port() + "/sched");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (snapshotsOf("sched").isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "no scheduled snapshot within 60 s");
                Thread.sleep(500);
            }
            Thread.sleep(3000);   // three more periods without writes: no more snapshots
            List<String> ids = snapshotsOf("sched");
            assertEquals(1, ids.size(), ids.toString());
            assertTrue(ids.get(0).startsWith("auto-"), ids.toString());
        }
    }

    private static List<String> snapshotsOf(String disk) throws Exception {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : all()) {
            DiskCommand c = AvroSerdes.diskCommand().deserialize(r.topic(), r.value());
            if (c.getDiskId().equals(disk) && c.getPayload() instanceof io.vhdstream.schemas.command.Snapshot sn) {
                out.add(sn.getSnapshotId());
            }
        }
        return out;
    }

    @Test
    void aDiskThatIsNotInTheLogNeedsCreate() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> start(tmp.resolve("state-x"), Map.of(), List.of("ghost"), List.of()));
        assertTrue(e.getMessage().contains("--create ghost=SIZE"), e.getMessage());
    }

    @Test
    void writesPastTheEndAreEnospcAndUnalignedOnesEinval() throws Exception {
        try (NbdService s = start(tmp.resolve("state-e"), Map.of("small", 1L * MIB), List.of(), List.of());
             RawClient c = new RawClient(s.port()).greet()) {
            assertEquals(MIB, c.go("small"));
            c.request(0, io.vhdstream.nbd.protocol.Nbd.CMD_WRITE, 1, MIB - 512, 1024);
            c.out.write(new byte[1024]);
            c.out.flush();
            assertEquals(io.vhdstream.nbd.protocol.Nbd.ENOSPC, c.simpleReply(1));
            c.request(0, io.vhdstream.nbd.protocol.Nbd.CMD_WRITE, 2, 100, 512);
            c.out.write(new byte[512]);
            c.out.flush();
            assertEquals(io.vhdstream.nbd.protocol.Nbd.EINVAL, c.simpleReply(2));
            c.request(0, io.vhdstream.nbd.protocol.Nbd.CMD_WRITE_ZEROES, 3, 0, 2 * MIB);
            assertEquals(io.vhdstream.nbd.protocol.Nbd.ENOSPC, c.simpleReply(3));
            c.request(io.vhdstream.nbd.protocol.Nbd.CMD_FLAG_FUA, io.vhdstream.nbd.protocol.Nbd.CMD_WRITE, 4, 0, 512);
            c.out.write(new byte[512]);
            c.out.flush();
            assertEquals(0, c.simpleReply(4));
        }
        assertNotEquals(0, commandsFor("small").size());
    }

    private static void apply(byte[] model, int at, int len, byte value) {
        java.util.Arrays.fill(model, at, at + len, value);
    }

    /** Every record of the command topic, through DiskLayers (the topology's engine) into {@code layers}. */
    private static long applyLog(Path layers) throws Exception {
        long n = 0;
        try (DiskLayers dl = DiskLayers.under(layers, 4)) {
            for (ConsumerRecord<byte[], byte[]> r : all()) {
                dl.applyRecord(r.key(), r.value(), new Position(r.topic(), r.partition(), r.offset(), r.timestamp()), false,
                        DiskLayers.DISCARD);
                n++;
            }
            dl.sync();
        }
        return n;
    }

    private static List<DiskCommand> commandsFor(String disk) throws Exception {
        List<DiskCommand> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : all()) {
            DiskCommand c = AvroSerdes.diskCommand().deserialize(r.topic(), r.value());
            if (c.getDiskId().equals(disk) && c.getPayload() instanceof Write) {
                out.add(c);
            }
        }
        return out;
    }

    private static List<ConsumerRecord<byte[], byte[]>> all() {
        Map<String, Object> c = new HashMap<>(broker.clientSettings());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(Topics.COMMANDS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }
}
