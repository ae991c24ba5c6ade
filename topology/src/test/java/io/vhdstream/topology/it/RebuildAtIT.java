package io.vhdstream.topology.it;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Snapshot;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.layer.LayerMerged;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.app.TopologyApp;
import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.disk.Retention;
import io.vhdstream.topology.rebuild.RebuildException;
import io.vhdstream.topology.rebuild.RebuildPoint;
import io.vhdstream.topology.rebuild.Rebuilder;
import io.vhdstream.topology.support.DiskModel;
import io.vhdstream.topology.support.LayerEvents;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.topology.support.SharedBroker;
import io.vhdstream.topology.support.TestBroker;
import io.vhdstream.topology.support.TopologySettings;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeSet;

import static io.vhdstream.topology.produce.DiskCommands.create;
import static io.vhdstream.topology.produce.DiskCommands.snapshot;
import static io.vhdstream.topology.produce.DiskCommands.trim;
import static io.vhdstream.topology.produce.DiskCommands.write;
import static io.vhdstream.topology.support.Histories.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rebuild --at}: a disk with a small retention window (merges happen) on a real broker, rebuilt at dozens
 * of random offsets and times (inside snapshot intervals, at seals, around merges) and compared with a model
 * that replays the commands itself; points outside the window and unknown snapshots are typed errors that leave
 * the output as found.
 */
class RebuildAtIT {
    static final long MIB = 1 << 20;
    static final String COMMANDS = "at-commands";
    static final String LAYERS = "at-layers";
    static final int RETAIN = 5;

    @TempDir
    Path work;

    record Sent(DiskCommand cmd, long offset, long timestamp) {
    }

    @Test
    void everyPointInTheWindowRebuildsAsTheModelAndPointsOutsideAreTypedErrors() throws Exception {
        TestBroker broker = SharedBroker.get();
        broker.createTopics(COMMANDS, LAYERS, "at-dead-letters", 1);
        Random r = new Random(42);
        long t0 = System.currentTimeMillis() - 3_600_000;
        List<DiskCommand> cmds = new ArrayList<>();
        cmds.add(create("vm", 2 * MIB, 512 * 1024));
        cmds.add(create("other", MIB, 512 * 1024));
        int snapshots = 14;
        for (int s = 0; s < snapshots; s++) {
            for (int k = 2 + r.nextInt(8); k > 0; k--) {
                long at = (long) r.nextInt(4000) * 512;
                cmds.add(r.nextInt(5) == 0 ? trim("vm", at, 512L * (1 + r.nextInt(32)))
                        : write("vm", at, data(r.nextLong(), 512 * (1 + r.nextInt(8)))));
                if (r.nextInt(3) == 0) {
                    cmds.add(write("other", 0, data(r.nextLong(), 512)));   // offsets that are not the disk's
                }
            }
            cmds.add(snapshot("vm", "s" + s, null));
        }
        List<Sent> sent = new ArrayList<>();
        var serde = AvroSerdes.diskCommand();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrapServers(),
                "key.serializer", ByteArraySerializer.class, "value.serializer", ByteArraySerializer.class))) {
            for (int i = 0; i < cmds.size(); i++) {
                DiskCommand c = cmds.get(i);
                long ts = t0 + i * 1000L;
                RecordMetadata md = p.send(new ProducerRecord<>(COMMANDS, null, ts,
                        c.getDiskId().getBytes(StandardCharsets.UTF_8), serde.serialize(COMMANDS, c))).get();
                sent.add(new Sent(c, md.offset(), ts));
            }
        }

        Properties props = TopologySettings.of(broker, "rebuild-at-it", work, COMMANDS, LAYERS, "at-dead-letters");
        props.put(TopologyConfig.RETAIN_SNAPSHOTS_CONFIG, String.valueOf(RETAIN));
        List<LayerEvent> events;
        try (TopologyApp app = TopologyApp.start(props);
             LayerEvents out = new LayerEvents(broker.bootstrapServers(), LAYERS, "at-dead-letters", 1)) {
            events = out.awaitLayers(es -> LayerEvents.sealedCount(es) >= snapshots, Duration.ofMinutes(3));
        }
        List<LayerMerged> merges = events.stream().map(LayerEvent::getPayload).filter(LayerMerged.class::isInstance)
                .map(LayerMerged.class::cast).toList();
        assertEquals(snapshots - RETAIN, merges.size(), "one merge per seal past the window");
        String baseSnapshot = merges.get(merges.size() - 1).getBaseSnapshotId();
        Sent oldest = sent.stream().filter(s -> s.cmd().getPayload() instanceof Snapshot sn
                && sn.getSnapshotId().equals(baseSnapshot)).findFirst().orElseThrow();
        long last = sent.get(sent.size() - 1).offset();

        // Random offsets in the window, every merge's deciding seal and its neighbours, and some times.
        TreeSet<Long> offsets = new TreeSet<>();
        int want = (int) Math.min(24, last - oldest.offset() + 1);
        while (offsets.size() < want) {
            offsets.add(oldest.offset() + (long) r.nextInt((int) (last - oldest.offset() + 1)));
        }
        for (LayerMerged m : merges) {
            for (long d = -1; d <= 1; d++) {
                long o = m.getDecidedAtOffset() + d;
                if (o >= oldest.offset() && o <= last) {
                    offsets.add(o);
                }
            }
        }
        Retention retention = new Retention(RETAIN, Retention.DEFAULT_MAX_AGE_MS);
        int n = 0;
        for (long o : offsets) {
            check(broker, sent, new RebuildPoint.AtOffset(o), retention, n++);
        }
        for (int i = 0; i < 8; i++) {
            long ts = oldest.timestamp() + r.nextInt((int) (sent.get(sent.size() - 1).timestamp() - oldest.timestamp() + 2000));
            check(broker, sent, new RebuildPoint.AtTime(Instant.ofEpochMilli(ts)), retention, n++);
        }
        assertTrue(n >= 30, "points checked: " + n);

        // Outside the window: typed errors naming the oldest point, output left as found.
        Path absent = work.resolve("absent");
        RebuildException e = assertThrows(RebuildException.class, () -> Rebuilder.rebuild(request(broker, absent,
                new RebuildPoint.AtOffset(oldest.offset() - 1), retention)));
        assertEquals(RebuildException.OUT_OF_RANGE, e.code());
        assertTrue(e.getMessage().contains("oldest rebuildable point is snapshot " + baseSnapshot), e.getMessage());
        assertFalse(Files.exists(absent), "a directory the rebuild made is removed again");
        Path empty = Files.createDirectories(work.resolve("empty"));
        e = assertThrows(RebuildException.class, () -> Rebuilder.rebuild(request(broker, empty,
                new RebuildPoint.AtSnapshot("s0"), retention)));
        assertEquals(RebuildException.OUT_OF_RANGE, e.code());
        e = assertThrows(RebuildException.class, () -> Rebuilder.rebuild(request(broker, empty,
                new RebuildPoint.AtSnapshot("no-such-snapshot"), retention)));
        assertEquals(RebuildException.NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("s" + (snapshots - 1)), "lists the known snapshots: " + e.getMessage());
        e = assertThrows(RebuildException.class, () -> Rebuilder.rebuild(request(broker, empty,
                new RebuildPoint.AtOffset(last + 1000), retention)));
        assertEquals(RebuildException.OUT_OF_RANGE, e.code());
        try (var s = Files.list(empty)) {
            assertEquals(0, s.count(), "an empty output stays empty");
        }
        // --until inside the window keeps working.
        Rebuilder.Result res = Rebuilder.rebuild(request(broker, work.resolve("until"),
                new RebuildPoint.AtSnapshot("s" + (snapshots - 2)), retention));
        Layers.assertSameContent(model(sent, new RebuildPoint.AtSnapshot("s" + (snapshots - 2))), Layers.read(res.top()),
                "until s" + (snapshots - 2));
    }

    private static Rebuilder.Request request(TestBroker broker, Path out, RebuildPoint point, Retention retention) {
        return Rebuilder.Request.of(broker.bootstrapServers(), "vm", "-", out).withTopic(COMMANDS).withLayersTopic(LAYERS)
                .withPoint(point).withRetention(retention);
    }

    private void check(TestBroker broker, List<Sent> sent, RebuildPoint point, Retention retention, int n) throws Exception {
        Path out = work.resolve("at-" + n);
        Path flat = work.resolve("at-" + n + ".raw");
        Rebuilder.Result res = Rebuilder.rebuild(request(broker, out, point, retention).withFlat(flat));
        byte[] want = model(sent, point);
        Layers.assertSameContent(want, Files.readAllBytes(flat), "flat at " + point);
        Layers.assertSameContent(want, Layers.read(res.top()), "chain at " + point);
        Layers.assertClean(res.top());
        try (var chain = io.vhdstream.vhd.chain.VhdChain.open(res.top(), io.vhdstream.vhd.chain.ChainOptions.forImage(res.top()), false)) {
            assertTrue(chain.layers().size() <= RETAIN + 1, "chain depth " + chain.layers().size() + " at " + point);
        }
        Files.delete(flat);
    }

    /** The disk after its last command at or before the point, replayed by the model (no topology code). */
    private static byte[] model(List<Sent> sent, RebuildPoint point) {
        DiskModel m = new DiskModel("vm", 2 * MIB);
        for (Sent s : sent) {
            if (!s.cmd().getDiskId().equals("vm")) {
                continue;
            }
            if (point instanceof RebuildPoint.AtOffset o && s.offset() > o.offset()
                    || point instanceof RebuildPoint.AtTime t && s.timestamp() > t.time().toEpochMilli()) {
                break;
            }
            m.apply(s.cmd());
            if (point instanceof RebuildPoint.AtSnapshot a && s.cmd().getPayload() instanceof Snapshot sn
                    && sn.getSnapshotId().equals(a.snapshotId())) {
                break;
            }
        }
        return m.content();
    }
}
