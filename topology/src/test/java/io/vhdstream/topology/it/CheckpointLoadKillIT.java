package io.vhdstream.topology.it;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.topology.app.TopologyApp;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.support.ChildApp;
import io.vhdstream.topology.support.CheckpointsPublished;
import io.vhdstream.topology.support.Histories;
import io.vhdstream.topology.support.LayerEvents;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.topology.support.SharedBroker;
import io.vhdstream.topology.support.TestBroker;
import io.vhdstream.topology.support.TopologySettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static io.vhdstream.topology.produce.DiskCommands.create;
import static io.vhdstream.topology.produce.DiskCommands.snapshot;
import static io.vhdstream.topology.produce.DiskCommands.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lost layer directory whose disk must come from the checkpoint topic (retention deleted the base's commands): the
 * application in a child JVM is killed with SIGKILL while it loads the checkpoint, and started again: the second start
 * loads it again over the first one's leftovers, replays the rest, runs, and the disk ends as the first run left it
 * (the sealed layers byte for byte, the base's content the same). Both loads run on Streams' state updater thread,
 * not on the stream thread.
 */
class CheckpointLoadKillIT {
    static final long MIB = 1 << 20;
    static final String APP = "checkpoint-load-kill-it";
    static final String DISK = "ck";

    @TempDir
    Path work;

    @Test
    void aCheckpointLoadKilledMidwayLoadsAgainAtTheNextStart() throws Exception {
        TestBroker broker = SharedBroker.get();
        Properties p = TopologySettings.withTopics(broker, "ckill", APP, work, 1);
        String cmds = TopologySettings.commands(p);
        TopicPartition input = new TopicPartition(cmds, 0);
        List<DiskCommand> cs = new ArrayList<>();
        cs.add(create(DISK, 32 * MIB, 2 << 20));
        for (long off = 0; off < 32 * MIB; off += 512 * 1024) {   // a 32 MiB base: 64 chunks in the checkpoint
            cs.add(write(DISK, off, Histories.data(off, 512 * 1024)));
        }
        cs.add(snapshot(DISK, "s1", null));
        cs.add(write(DISK, 4096, Histories.data(1, 65536)));
        cs.add(snapshot(DISK, "s2", null));
        cs.add(write(DISK, 8192, Histories.data(2, 4096)));
        try (WorkloadProducer producer = WorkloadProducer.connect(broker.bootstrapServers(), cmds, Map.of())) {
            producer.sendAll(cs.iterator());
            producer.flush();
        }
        Path layers = work.resolve("layers");
        try (LayerEvents out = TopologySettings.events(p, 1);
             TopologyApp app = TopologyApp.start(p)) {
            out.awaitLayers(es -> LayerEvents.sealed(es, DISK).size() >= 2, Duration.ofMinutes(2));
            StoreRebuildIT.awaitCommitted(broker, APP, cmds, 1);
            CheckpointsPublished.await(app, Duration.ofMinutes(2));
        }
        // Retention deletes the base's commands; the directory is lost (kept aside, at another path, to compare).
        long seal = SealedLayer.readAll(layers.resolve(DISK).resolve(LayerNames.SEALED)).get(0).sealOffset();
        try (Admin a = broker.admin()) {
            a.deleteRecords(Map.of(input, RecordsToDelete.beforeOffset(seal + 1))).all().get(30, TimeUnit.SECONDS);
        }
        Path straight = work.resolve("straight");
        Files.move(layers, straight);

        // 1. The checkpoint is read slowly (Streams' restore consumer settings, which the loader uses: one 512 KiB
        // chunk per fetch, each waiting 100 ms for a megabyte that never comes), and the child is killed as soon as
        // the first chunk reached the half-loaded base.
        Properties slow = new Properties();
        slow.putAll(p);
        slow.put("restore.consumer.max.partition.fetch.bytes", "16384");
        slow.put("restore.consumer.fetch.min.bytes", String.valueOf(MIB));
        slow.put("restore.consumer.fetch.max.wait.ms", "100");
        Path log = work.resolve("child.log");
        Path loading = layers.resolve("." + LayerNames.encode(cmds) + "-0.checkpoint.tmp").resolve(LayerNames.diskDir(DISK))
                .resolve(LayerNames.BASE);
        Path offsets = layers.resolve(LayerNames.OFFSETS_DIR).resolve(LayerNames.offsetsFile(cmds, 0));
        try (ChildApp app = ChildApp.start(ChildApp.write(slow, work.resolve("slow.properties")), log)) {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!Files.exists(loading)) {
                assertTrue(app.alive(), "the child died; see " + log);
                assertTrue(System.nanoTime() < deadline, "no checkpoint load within 2 minutes; see " + log);
                Thread.sleep(2);
            }
            app.kill();
        }
        assertFalse(Files.exists(offsets), "killed before the load finished (it writes the offsets last)");
        assertFalse(Files.exists(layers.resolve(DISK)), "nothing switched into place yet");

        // 2. The next start loads the checkpoint again, replays the commands after it and runs.
        try (ChildApp app = ChildApp.start(ChildApp.write(p, work.resolve("topology.properties")), log)) {
            app.awaitRunning(Duration.ofMinutes(2));
            int exit = app.stop();
            assertTrue(exit == 0 || exit == 143, "clean stop, exit " + exit);
        }
        assertTrue(Files.readString(log).contains("loaded the checkpoint of 1 disks"), "loaded on the second start");
        // Both loads (the killed one and the finished one) ran on Streams' state updater thread: Streams runs a store's
        // init on the stream thread, where a large base would hold up every other task of that thread.
        List<String> loads = Files.readAllLines(log).stream().filter(l -> l.contains("loading the checkpoint of its disks")
                || l.contains("loaded the checkpoint of")).toList();
        assertEquals(3, loads.size(), "two loads begun, one finished: " + loads);
        for (String l : loads) {
            assertTrue(l.contains("-StateUpdater-") && !l.contains("-StreamThread-"), "not on the state updater: " + l);
        }
        List<SealedLayer> want = SealedLayer.readAll(straight.resolve(DISK).resolve(LayerNames.SEALED));
        assertEquals(want, SealedLayer.readAll(layers.resolve(DISK).resolve(LayerNames.SEALED)));
        Layers.assertSameContent(Layers.read(straight.resolve(DISK).resolve(LayerNames.BASE)),
                Layers.read(layers.resolve(DISK).resolve(LayerNames.BASE)), "base.vhd");
        for (SealedLayer l : want.subList(1, want.size())) {
            assertArrayEquals(Files.readAllBytes(straight.resolve(DISK).resolve(l.fileName())),
                    Files.readAllBytes(layers.resolve(DISK).resolve(l.fileName())), l.fileName());
        }
        Layers.assertClean(layers.resolve(DISK).resolve(LayerNames.BASE));
    }
}
