package io.vhdstream.connector;

import io.vhdstream.connector.ConnectTestSupport.Place;
import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.connector.sink.VhdReplicaSinkConnector;
import io.vhdstream.connector.sink.VhdReplicaSinkConnectorConfig;
import io.vhdstream.connector.source.KillSwitch;
import io.vhdstream.connector.source.VhdSourceConnector;
import io.vhdstream.connector.source.VhdSourceConnectorConfig;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.SourceError;
import io.vhdstream.schemas.block.SourceErrorCodes;
import io.vhdstream.vhd.create.VhdCreator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectStandalone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Connect standalone worker on a real KRaft broker, both in this JVM: the source over an engine-made
 * chain and a QEMU-made one, the replica sink, exports compared; the Windows fixture with a missing parent;
 * config validation through the REST API; a task killed in the middle of a layer (at-least-once).
 */
class StandaloneWorkerTest {
    private static final long TIMEOUT = 90_000;
    private static EmbeddedConnectStandalone connect;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        connect = new EmbeddedConnectStandalone.Builder()
                .numBrokers(1)
                .brokerProps(ConnectTestSupport.brokerProps())
                .workerProps(ConnectTestSupport.workerProps())
                .offsetsFile(tmp.resolve("offsets.dat").toString())
                .build();
        connect.start();
    }

    @AfterAll
    static void stop() {
        if (connect != null) {
            connect.stop();
        }
    }

    @Test
    void engineAndQemuChainsAreReplicatedByteForByte() throws Exception {
        // An engine-made chain: base, two sealed children, an active leaf (not emitted). JSON with schemas.
        Path engineRoot = tmp.resolve("engine-root");
        List<Path> engine = TestChains.engineChain(engineRoot.resolve("vm"), "disk", 64 * TestChains.MIB, 2 * TestChains.MIB, 3, 11);
        // A QEMU-made base with qemu-io writes, our differencing snapshot with writes, and a leaf on top. Avro bytes.
        Path qemuRoot = tmp.resolve("qemu-root");
        Path qdir = qemuRoot.resolve("vm");
        Files.createDirectories(qdir);
        Path qbase = qdir.resolve("base.vhd");
        TestChains.qemuCreate(qbase, 64 * TestChains.MIB);
        TestChains.qemuWrite(qbase, 0xab, 0, TestChains.MIB);
        TestChains.qemuWrite(qbase, 0x17, 5 * TestChains.MIB + 4096, 3 * TestChains.MIB + 512);
        TestChains.qemuWrite(qbase, 0, 20 * TestChains.MIB, 2 * TestChains.MIB); // zeros, allocated
        TestChains.qemuWrite(qbase, 0x5a, 64 * TestChains.MIB - 65536, 65536);
        Path snap = qdir.resolve("snap-1.vhd");
        VhdCreator.differencing(snap, qbase);
        TestChains.fill(snap, sizeOf(qbase), new Random(5));
        VhdCreator.differencing(qdir.resolve("active.vhd"), snap);
        TestChains.write(qdir.resolve("active.vhd"), 0, new byte[4096]);

        connect.kafka().createTopic("blocks-json", 2);
        connect.kafka().createTopic("blocks-avro", 2);
        connect.kafka().createTopic("errors-a", 1);
        Path replicaA = tmp.resolve("replica-json");
        Path replicaB = tmp.resolve("replica-avro");
        connect.configureConnector("src-json", ConnectTestSupport.source(engineRoot, "blocks-json", "errors-a", false));
        connect.configureConnector("src-avro", ConnectTestSupport.source(qemuRoot, "blocks-avro", "errors-a", true));
        connect.configureConnector("sink-json", ConnectTestSupport.sink(replicaA, "blocks-json", false));
        connect.configureConnector("sink-avro", ConnectTestSupport.sink(replicaB, "blocks-avro", true));

        String engineDisk = ConnectTestSupport.uniqueId(engine.get(0)).toString();
        String qemuDisk = ConnectTestSupport.uniqueId(qbase).toString();
        ConnectTestSupport.waitFor("the engine chain's 3 sealed layers in the replica", TIMEOUT,
                () -> ConnectTestSupport.sealedCount(replicaA, engineDisk) == 3);
        ConnectTestSupport.waitFor("the QEMU chain's 2 sealed layers in the replica", TIMEOUT,
                () -> ConnectTestSupport.sealedCount(replicaB, qemuDisk) == 2);

        assertEquals(-1, TestChains.compareExports(engine.get(2), ConnectTestSupport.replicaTop(replicaA, engineDisk), tmp),
                "engine chain: replica export equals source export");
        assertEquals(-1, TestChains.compareExports(snap, ConnectTestSupport.replicaTop(replicaB, qemuDisk), tmp),
                "QEMU chain: replica export equals source export");
        for (String c : List.of("src-json", "src-avro", "sink-json", "sink-avro")) {
            connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(c, 1, c + " keeps running");
        }
        assertTrue(ConnectTestSupport.readAll(connect.kafka(), "errors-a", false).isEmpty(), "no errors for healthy chains");
        // The tasks' metrics, over JMX as an operator reads them (docs/operations.md).
        Map<String, Double> src = ConnectTestSupport.pluginMetrics("src-avro");
        assertEquals(2.0, src.get("source-layers-started-total"), src.toString());
        assertEquals(2.0, src.get("source-layers-completed-total"), src.toString());
        assertEquals(0.0, src.get("source-lag-layers"), src.toString());
        assertTrue(src.get("source-bytes-total") > 3 * TestChains.MIB, src.toString());
        Map<String, Double> sink = ConnectTestSupport.pluginMetrics("sink-avro");
        assertEquals(2.0, sink.get("replica-layers-sealed-total"), sink.toString());
        assertEquals(0.0, sink.get("replica-layers-failed-total"), sink.toString());
        assertEquals(0.0, sink.get("replica-layers-open"), sink.toString());
        assertEquals(0.0, sink.get("replica-lag-ms"), sink.toString());
        assertEquals(src.get("source-bytes-total"), sink.get("sink-bytes-total"), sink.toString());
        String operations = Files.readString(Path.of(System.getProperty("vhdstream.repo.dir", "..")).resolve("docs/operations.md"));
        for (String metric : java.util.stream.Stream.concat(src.keySet().stream(), sink.keySet().stream()).toList()) {
            assertTrue(operations.contains("`" + metric + "`"), "docs/operations.md lists " + metric);
        }
        // and every metric its connector tables list is there
        String connectors = operations.substring(operations.indexOf("### Connectors"), operations.indexOf("Connect's own metrics"));
        java.util.regex.Matcher row = java.util.regex.Pattern.compile("(?m)^\\| `([a-z-]+)` \\|").matcher(connectors);
        int rows = 0;
        for (; row.find(); rows++) {
            assertTrue(src.containsKey(row.group(1)) || sink.containsKey(row.group(1)), "a task has the documented " + row.group(1));
        }
        assertEquals(src.size() + sink.size(), rows, "one row per metric: " + src.keySet() + " " + sink.keySet());
        for (String c : List.of("src-json", "src-avro", "sink-json", "sink-avro")) {
            connect.deleteConnector(c);
        }
    }

    @Test
    void theWindowsFixtureWithoutItsParentIsAnErrorRecordNotADeadTask() throws Exception {
        Path root = tmp.resolve("fixture-root");
        Files.createDirectories(root.resolve("hyperv"));
        Files.copy(TestChains.fixture("dfvfs-fat-differential.vhd"), root.resolve("hyperv/fat-differential.vhd"));
        List<Path> good = TestChains.engineChain(root.resolve("ok"), "ok", 16 * TestChains.MIB, TestChains.MIB, 1, 3);
        connect.kafka().createTopic("blocks-fx", 1);
        connect.kafka().createTopic("errors-fx", 1);
        connect.configureConnector("src-fx", ConnectTestSupport.source(root, "blocks-fx", "errors-fx", true));
        ConnectTestSupport.waitFor("an error record", TIMEOUT,
                () -> !ConnectTestSupport.readAll(connect.kafka(), "errors-fx", false).isEmpty());
        List<ConsumerRecord<byte[], byte[]>> errs = ConnectTestSupport.readAll(connect.kafka(), "errors-fx", false);
        assertEquals(1, errs.size());
        SourceError e = (SourceError) BlockEvents.decode(errs.get(0).value()).getPayload();
        assertEquals("hyperv/fat-differential.vhd", e.getPath());
        assertEquals(SourceErrorCodes.MISSING_PARENT, e.getReasonCode());
        assertTrue(e.getMessage().contains("fat-parent.vhd") && e.getMessage().contains("5fa21a55"), e.getMessage());
        String goodDisk = ConnectTestSupport.uniqueId(good.get(0)).toString();
        ConnectTestSupport.waitFor("the healthy chain's layer", TIMEOUT, () -> ConnectTestSupport.decode(
                ConnectTestSupport.readAll(connect.kafka(), "blocks-fx", false)).stream()
                .anyMatch(b -> b.getPayload() instanceof io.vhdstream.schemas.block.EndOfLayer x && x.getDiskId().equals(goodDisk)));
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("src-fx", 1, "the task survives a broken image");
        connect.deleteConnector("src-fx");
    }

    @Test
    void badConfigurationIsReportedByTheValidateEndpoint() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Map<String, String> src = new HashMap<>();
        src.put("connector.class", VhdSourceConnector.class.getName());
        src.put("name", "v");
        src.put(VhdSourceConnectorConfig.ROOTS_CONFIG, tmp.resolve("does-not-exist") + "," + file);
        src.put(VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "100");
        src.put(VhdSourceConnectorConfig.RECORD_FORMAT_CONFIG, "xml");
        // PUT /connector-plugins/VhdSourceConnector/config/validate
        ConfigInfos infos = connect.validateConnectorConfig(VhdSourceConnector.class.getSimpleName(), src);
        Map<String, List<String>> errors = errors(infos);
        assertEquals(Set.of(VhdSourceConnectorConfig.ROOTS_CONFIG, VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG,
                VhdSourceConnectorConfig.RECORD_FORMAT_CONFIG), errors.keySet(), errors.toString());
        assertEquals(4, infos.errorCount(), "two roots wrong, the chunk size, the format");
        List<String> roots = errors.get(VhdSourceConnectorConfig.ROOTS_CONFIG);
        assertTrue(roots.stream().anyMatch(m -> m.contains("does not exist")), roots.toString());
        assertTrue(roots.stream().anyMatch(m -> m.contains("is not a directory")), roots.toString());
        assertTrue(errors.get(VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG).get(0).contains("between 4096"));

        // An unreadable directory (root reads everything, so only as another user).
        Path locked = Files.createDirectories(tmp.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            if (!Files.isReadable(locked)) {
                src.put(VhdSourceConnectorConfig.ROOTS_CONFIG, locked.toString());
                src.put(VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "65536");
                src.remove(VhdSourceConnectorConfig.RECORD_FORMAT_CONFIG);
                Map<String, List<String>> e2 = errors(connect.validateConnectorConfig(VhdSourceConnector.class.getSimpleName(), src));
                assertTrue(e2.get(VhdSourceConnectorConfig.ROOTS_CONFIG).get(0).contains("not readable"), e2.toString());
            }
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }

        // A good configuration validates clean.
        Map<String, String> ok = ConnectTestSupport.source(tmp, "t", "e", false);
        ok.put("name", "ok");
        assertEquals(0, connect.validateConnectorConfig(VhdSourceConnector.class.getSimpleName(), ok).errorCount());

        Map<String, String> sink = ConnectTestSupport.sink(file.resolve("below-a-file"), "t", false);
        sink.put("name", "s");
        Map<String, List<String>> se = errors(connect.validateConnectorConfig(VhdReplicaSinkConnector.class.getSimpleName(), sink));
        assertEquals(Set.of(VhdReplicaSinkConnectorConfig.REPLICA_DIR_CONFIG), se.keySet(), se.toString());

        // And a connector created with a bad value is refused before any task runs.
        Map<String, String> bad = ConnectTestSupport.source(tmp.resolve("nope"), "t", "e", false);
        try {
            connect.configureConnector("bad-src", bad);
            throw new AssertionError("the worker accepted a source with a missing root");
        } catch (org.apache.kafka.connect.runtime.rest.errors.ConnectRestException expected) {
            assertTrue(expected.getMessage().contains("does not exist"), expected.getMessage());
        }
    }

    @Test
    void aTaskKilledInTheMiddleOfALayerResumesWithoutAGap() throws Exception {
        Path root = tmp.resolve("kill-root");
        List<Path> chain = TestChains.engineChain(root.resolve("vm"), "k", 64 * TestChains.MIB, 2 * TestChains.MIB, 2, 21);
        String disk = ConnectTestSupport.uniqueId(chain.get(0)).toString();
        connect.kafka().createTopic("blocks-kill", 1);
        connect.kafka().createTopic("errors-kill", 1);
        Map<String, String> src = ConnectTestSupport.source(root, "blocks-kill", "errors-kill", true);
        src.put(VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "16384");
        src.put(VhdSourceConnectorConfig.POLL_MAX_BYTES_CONFIG, "65536");
        Path replica = tmp.resolve("replica-kill");
        src.put("connector.class", io.vhdstream.connector.source.CrashingSourceConnector.class.getName());
        try (KillSwitch kill = new KillSwitch("src-kill", 60, 2500)) {
            connect.configureConnector("src-kill", src);
            ConnectTestSupport.waitFor("the simulated crash", TIMEOUT, kill::fired);
            connect.assertions().assertConnectorIsRunningAndTasksHaveFailed("src-kill", 1, "the task died");
            connect.restartTask("src-kill", 0);
            connect.configureConnector("sink-kill", ConnectTestSupport.sink(replica, "blocks-kill", true));
            ConnectTestSupport.waitFor("both sealed layers in the replica", TIMEOUT,
                    () -> ConnectTestSupport.sealedCount(replica, disk) == 2);
        }
        List<BlockEvent> events = ConnectTestSupport.decode(ConnectTestSupport.readAll(connect.kafka(), "blocks-kill", false));
        Map<UUID, TreeSet<Long>> indexes = new TreeMap<>();
        Map<UUID, Long> counts = new HashMap<>();
        Map<UUID, Integer> starts = new HashMap<>();
        int duplicates = 0;
        Set<Place> seen = new HashSet<>();
        for (BlockEvent e : events) {
            Place p = Place.of(e);
            if (!seen.add(p)) {
                duplicates++;
            }
            switch (p.kind()) {
                case "start" -> starts.merge(p.layer(), 1, Integer::sum);
                case "end" -> counts.put(p.layer(), p.extentIndex());
                default -> indexes.computeIfAbsent(p.layer(), k -> new TreeSet<>()).add(p.extentIndex());
            }
        }
        assertEquals(2, counts.size(), "both layers ended");
        for (Map.Entry<UUID, Long> c : counts.entrySet()) {
            TreeSet<Long> got = indexes.get(c.getKey());
            assertEquals(c.getValue(), (long) got.size(), "no gap in layer " + c.getKey());
            assertEquals(c.getValue() - 1, (long) got.last());
            assertEquals(1, starts.get(c.getKey()), "the layer was resumed, not started again");
        }
        // At-least-once may repeat what was sent after the last offset commit, never more than the lost window.
        assertTrue(duplicates < 60, "duplicates: " + duplicates);
        assertEquals(-1, TestChains.compareExports(chain.get(1), ConnectTestSupport.replicaTop(replica, disk), tmp));
        connect.deleteConnector("src-kill");
        connect.deleteConnector("sink-kill");
    }

    /**
     * Issue 12 §7: the replica directory stops taking new files (read-only) while a layer is half applied. The
     * sink's seal of that layer fails with an I/O error; the task stays RUNNING, gives the batch back to Connect
     * (RetriableException with a back-off) again and again, and once the directory is writable the redelivered
     * records (partly applied before) converge on a replica equal to the source, with nothing rejected or failed.
     */
    @Test
    void aReplicaDirectoryThatTurnsReadOnlyMidLayerIsRetriedUntilItConverges() throws Exception {
        faultWhileALayerIsHalfApplied("ro", ReadOnlyDirectory::new);
    }

    /**
     * The same with a directory where the sealed manifest's temporary file goes: deleting the layer's record log
     * still works there, so this also shows the seal is written before the log is dropped (the other way round, the
     * redelivered EndOfLayer found no records and failed the layer).
     */
    @Test
    void aDirectoryInTheWayOfTheSealIsRetriedUntilItConverges() throws Exception {
        faultWhileALayerIsHalfApplied("in-the-way", diskDir -> {
            Path records;
            try (java.util.stream.Stream<Path> s = Files.list(diskDir)) {
                records = s.filter(p -> p.getFileName().toString().endsWith(".records")).findFirst().orElseThrow();
            }
            String stem = records.getFileName().toString().replace(".records", "");
            Path inTheWay = Files.createDirectories(diskDir.resolve(stem + ".manifest.tmp"));
            Files.writeString(inTheWay.resolve("a-file"), "x");
            return () -> {
                Files.delete(inTheWay.resolve("a-file"));
                Files.delete(inTheWay);
            };
        });
    }

    /** Something that makes writes under a replica disk directory fail until closed. */
    private interface Fault {
        AutoCloseable inject(Path diskDir) throws Exception;
    }

    private void faultWhileALayerIsHalfApplied(String name, Fault fault) throws Exception {
        Path root = tmp.resolve(name + "-root");
        List<Path> chain = TestChains.engineChain(root.resolve("vm"), name, 16 * TestChains.MIB, 2 * TestChains.MIB, 2, 41);
        String disk = ConnectTestSupport.uniqueId(chain.get(0)).toString();
        Map<String, String> props = new HashMap<>();
        props.put(VhdSourceConnectorConfig.ROOTS_CONFIG, root.toString());
        props.put(VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "65536");
        List<BlockEvent> events = new ArrayList<>();
        for (org.apache.kafka.connect.source.SourceRecord r : io.vhdstream.connector.source.SourceHarness.emitAll(props)) {
            if (r.topic().equals(VhdSourceConnectorConfig.TOPIC_DEFAULT)) {
                events.add(BlockEvents.fromConnect(r.value()));
            }
        }
        int start1 = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).getPayload() instanceof io.vhdstream.schemas.block.StartOfLayer s && s.getLayerIndex() == 1) {
                start1 = i;
            }
        }
        int layer1Records = events.size() - start1 - 2;
        assertTrue(start1 > 0 && layer1Records >= 8, "a base and a layer 1 of several records: " + events.size());
        int half = layer1Records / 2;

        String topic = "blocks-" + name;
        String sink = "sink-" + name;
        connect.kafka().createTopic(topic, 1);
        Path replica = tmp.resolve("replica-" + name);
        connect.configureConnector(sink, ConnectTestSupport.sink(replica, topic, true));
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer = connect.kafka().createProducer(Map.of())) {
            send(producer, topic, disk, events.subList(0, start1 + 1 + half));
            Path diskDir = replica.resolve(io.vhdstream.schemas.common.NameEncoding.diskDir(disk));
            ConnectTestSupport.waitFor("the base sealed and half of layer 1 applied", TIMEOUT, () ->
                    ConnectTestSupport.sealedCount(replica, disk) == 1 && recordLogEntries(diskDir) == half);
            try (AutoCloseable injected = fault.inject(diskDir)) {
                send(producer, topic, disk, events.subList(start1 + 1 + half, events.size()));
                ConnectTestSupport.waitFor("three redeliveries of the batch", TIMEOUT, () -> {
                    assertEquals("RUNNING", connect.connectorStatus(sink).tasks().get(0).state(), "the sink task");
                    return metric(sink, "sink-io-retries-total") >= 3;
                });
                connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sink, 1, "retrying, not failed");
                assertEquals(1, ConnectTestSupport.sealedCount(replica, disk), "layer 1 cannot be sealed yet");
            }
            ConnectTestSupport.waitFor("layer 1 sealed once the directory is writable", TIMEOUT,
                    () -> ConnectTestSupport.sealedCount(replica, disk) == 2);
        }
        assertEquals(-1, TestChains.compareExports(chain.get(1), ConnectTestSupport.replicaTop(replica, disk), tmp),
                "the replica equals the source");
        Map<String, Double> m = ConnectTestSupport.pluginMetrics(sink);
        assertEquals(0.0, m.get("sink-records-rejected-total"), m.toString());
        assertEquals(0.0, m.get("replica-layers-failed-total"), m.toString());
        assertEquals(0.0, m.get("replica-layers-open"), m.toString());
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(sink, 1, "still running");
        connect.deleteConnector(sink);
    }

    private static void send(org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer, String topic, String disk,
            List<BlockEvent> events) throws Exception {
        for (BlockEvent e : events) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, disk.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    BlockEvents.encode(e))).get();
        }
    }

    /** Entries in the record log of the layer being written (one log at a time here), -1 if none. */
    private static long recordLogEntries(Path diskDir) {
        try (java.util.stream.Stream<Path> s = Files.list(diskDir)) {
            Path log = s.filter(p -> p.getFileName().toString().endsWith(".records")).findFirst().orElse(null);
            return log == null ? -1 : Files.size(log) / (8 + 8 + 8 + 1 + 32);
        } catch (IOException e) {
            return -1;
        }
    }

    private static double metric(String connector, String name) {
        try {
            return ConnectTestSupport.pluginMetrics(connector).getOrDefault(name, 0.0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, List<String>> errors(ConfigInfos infos) {
        Map<String, List<String>> out = new TreeMap<>();
        for (ConfigInfo ci : infos.configs()) {
            if (!ci.configValue().errors().isEmpty()) {
                out.put(ci.configValue().name(), new ArrayList<>(ci.configValue().errors()));
            }
        }
        return out;
    }

    private static long sizeOf(Path vhd) throws IOException {
        try (io.vhdstream.vhd.image.VhdImage img = io.vhdstream.vhd.image.VhdImage.open(vhd)) {
            return img.virtualSize();
        }
    }
}
