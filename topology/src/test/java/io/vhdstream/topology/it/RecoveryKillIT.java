package io.vhdstream.topology.it;

import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.produce.WorkloadSpec;
import io.vhdstream.topology.store.OffsetsFile;
import io.vhdstream.topology.support.ChildApp;
import io.vhdstream.topology.support.LayerEvents;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.topology.support.Scenario;
import io.vhdstream.topology.support.SharedBroker;
import io.vhdstream.topology.support.TestBroker;
import io.vhdstream.topology.support.Verify;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lost layer directory recovered by the application in a child JVM, which is killed with SIGKILL in the
 * middle of the recovery and started again: the second start resumes from the last checkpoint the first one
 * made (not from offset 0), and the layers end byte-identical to the model with every snapshot announced
 * exactly once (the recovery publishes nothing).
 */
class RecoveryKillIT {
    static final long MIB = 1 << 20;
    static final String APP = "recovery-kill-it";
    static final Pattern REPLAYING = Pattern.compile("replaying input offsets \\[(\\d+), (\\d+)\\)");

    @TempDir
    Path work;

    @Test
    void aRecoveryKilledMidwayResumesWhereItsCheckpointIs() throws Exception {
        TestBroker broker = SharedBroker.get();
        String cmds = "recovery-kill-commands";
        String layersTopic = "recovery-kill-layers";
        String dlq = "recovery-kill-dead-letters";
        broker.createTopics(cmds, layersTopic, dlq, 1);
        Scenario sc = new Scenario();
        for (String id : List.of("rk-a", "rk-b")) {
            sc.add(new WorkloadSpec(id, 32 * MIB, 1 << 20, 5 * MIB / 2, 512, 0.5, 0.02, MIB, 2, id.hashCode(), "s"));
        }
        Path layers = work.resolve("layers");
        Properties p = ChildApp.settings(broker, APP, work, cmds, layersTopic, dlq);
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
        long expected = sc.totalSnapshots();
        try (LayerEvents out = new LayerEvents(broker.bootstrapServers(), layersTopic, dlq, 1)) {
            // 1. An instance processes the whole history, then stops cleanly.
            try (ChildApp app = ChildApp.start(props, log)) {
                app.awaitRunning(Duration.ofSeconds(90));
                out.awaitLayers(es -> LayerEvents.sealedCount(es) >= expected, Duration.ofMinutes(2));
                StoreRebuildIT.awaitCommitted(broker, APP, cmds, 1);
                app.stop();
            }
            assertEquals(end, OffsetsFile.read(offsets));

            // 2. The layer directory is lost; the next instance recovers it and is killed in the middle of that.
            StoreRebuildIT.deleteTree(layers);
            long killedAt;
            try (ChildApp app = ChildApp.start(props, log)) {
                killedAt = awaitCheckpointBetween(app, offsets, end / 10, end * 7 / 10);
                app.kill();
                assertTrue(!app.states().contains("RUNNING"), "killed before it ran: " + app.states());
            }
            long durable = OffsetsFile.read(offsets);
            assertTrue(durable >= killedAt && durable < end, "checkpoint " + durable + " after the kill");

            // 3. The next start resumes the recovery from that checkpoint, then runs.
            long linesBefore = Files.readAllLines(log).size();
            try (ChildApp app = ChildApp.start(props, log)) {
                app.awaitRunning(Duration.ofSeconds(120));
                List<String> lines = Files.readAllLines(log);
                long[] range = replayRange(lines.subList((int) linesBefore, lines.size()));
                assertEquals(durable, range[0], "resumed from the last checkpoint: " + List.of(range[0], range[1]));
                assertEquals(end, range[1]);
                StoreRebuildIT.awaitCommitted(broker, APP, cmds, 1);
                int exit = app.stop();
                assertTrue(exit == 0 || exit == 143, "clean stop, exit " + exit);
            }
            assertEquals(end, OffsetsFile.read(offsets));
            List<LayerEvent> events = out.awaitLayers(es -> false, Duration.ofSeconds(2));
            assertEquals(expected, LayerEvents.sealedCount(events), "each snapshot announced once, none by the recovery");
            assertTrue(out.drainDeadLetters(Duration.ofMillis(500)).isEmpty(), "no dead letters");
            Verify.layersMatchModels(layers, sc, events);
        }
        try (Stream<Path> s = Files.walk(layers)) {
            for (Path f : (Iterable<Path>) s.filter(x -> x.toString().endsWith(".vhd"))::iterator) {
                Layers.assertClean(f);
            }
        }
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
