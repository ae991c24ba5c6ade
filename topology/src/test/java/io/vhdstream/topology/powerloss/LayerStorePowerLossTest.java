package io.vhdstream.topology.powerloss;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.topology.checkpoint.CheckpointLoader;
import io.vhdstream.topology.checkpoint.CheckpointRecords;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.LayerMarks;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.disk.Retention;
import io.vhdstream.topology.produce.DiskCommands;
import io.vhdstream.topology.recovery.CheckpointLog;
import io.vhdstream.topology.store.OffsetsFile;
import io.vhdstream.topology.support.CheckpointLogs;
import io.vhdstream.topology.support.Histories;
import io.vhdstream.topology.support.Layers;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Power loss of the layer store (issue 9.6): a disk's history with snapshots and retention merges is applied to a
 * layer directory on a {@link RecordingFs}, checkpointed the way the store does it ({@code LayerStore.checkpoint}:
 * the layers fsynced, then the {@code .offsets} file replaced); then every state a power loss may leave at every
 * barrier, rename, create and delete ({@link PowerCuts}: the {@code state}, {@code sealed}, {@code merged} and
 * {@code .offsets} files, the VHD layers and the directory entries) must recover the way the store recovers: the
 * store opened on it, the commands from the offset its {@code .offsets} file holds replayed, and the directory
 * must then be byte-identical to the one the uninterrupted run left.
 *
 * <p>In the normal suite a seeded sample of the cuts ({@value #SAMPLED_CUTS}, seed {@code vhdstream.powerloss.seed});
 * {@code -Dvhdstream.powerloss.cuts=all} tries every one (docs/crash-safety.md: a few minutes).
 */
class LayerStorePowerLossTest {
    private static final String TOPIC = "cmds";
    private static final long MIB = 1 << 20;
    /** Commands between checkpoints (Streams commits every commit.interval.ms). */
    private static final int CHECKPOINT_EVERY = 5;
    /** Cuts tried by default: 10-25 s on a loaded 2-core machine, several merges' steps among them. */
    static final int SAMPLED_CUTS = 30;

    @TempDir
    Path work;

    /** A disk of 2 MiB in 64 KiB blocks: writes, trims, a snapshot every 6 commands, 2 retained, so merges. */
    static List<DiskCommand> history() {
        Random r = new Random(96);
        List<DiskCommand> cs = new ArrayList<>();
        cs.add(DiskCommands.create("d", 2 * MIB, 64 * 1024));
        for (int i = 1; cs.size() < 60; i++) {
            if (i % 6 == 0) {
                cs.add(DiskCommands.snapshot("d", "s" + i / 6, null));
            } else if (i % 17 == 0) {
                cs.add(DiskCommands.trim("d", r.nextInt(4096) * 512L, 64 * 1024));
            } else {
                cs.add(DiskCommands.write("d", r.nextInt(4000) * 512L, Histories.data(i, 512 * (1 + r.nextInt(24)))));
            }
        }
        return cs;
    }

    static Retention retention() {
        return new Retention(2, Retention.DEFAULT_MAX_AGE_MS);
    }

    /** Applies commands {@code from..} as the store does, checkpointing every few and at the end. */
    static void run(Path layersDir, List<DiskCommand> cs, int from) throws Exception {
        Path offsets = layersDir.resolve(LayerNames.OFFSETS_DIR).resolve(LayerNames.offsetsFile(TOPIC, 0));
        io.vhdstream.topology.disk.FileOps.createDirectories(offsets.getParent());   // as LayerStore.init
        try (DiskLayers l = DiskLayers.under(layersDir, 4, retention())) {
            l.recoverFrom(OffsetsFile.readMarks(offsets));
            for (int i = from; i < cs.size(); i++) {
                l.apply(cs.get(i), new Position(TOPIC, 0, i, 1_700_000_000_000L + i * 1000L), false, DiskLayers.DISCARD);
                if ((i + 1) % CHECKPOINT_EVERY == 0 || i == cs.size() - 1) {
                    OffsetsFile.write(offsets, i + 1, l.syncAndMark());   // as LayerStore.checkpoint
                }
            }
        }
    }

    /** What the store does on start: read its offset, replay the commands from there. */
    static void recover(Path layersDir, List<DiskCommand> cs) throws Exception {
        Path offsets = layersDir.resolve(LayerNames.OFFSETS_DIR).resolve(LayerNames.offsetsFile(TOPIC, 0));
        Long committed = Files.isDirectory(offsets.getParent()) ? OffsetsFile.read(offsets) : null;
        run(layersDir, cs, committed == null ? 0 : committed.intValue());
    }

    /** The disk's creation and first writes (a few new blocks per checkpoint): every cut. */
    @Test
    void everyCutOfTheFirstCheckpointsRecovers() throws Exception {
        onTmpfs(base -> powerLossEverywhere(base, history().subList(0, 6), Integer.MAX_VALUE));
    }

    /**
     * Blocks allocated between two checkpoints whose BAT entries sit in different BAT sectors (a disk of 256 blocks:
     * entries 0-127 in the BAT's first sector, 128-255 in its second): a power cut may keep the entry of a later block
     * and lose an earlier one's, in a layer created since the last checkpoint or one that had blocks then. Every cut.
     */
    @Test
    void blocksWhoseBatEntriesSitInDifferentSectorsRecoverToTheSameBytes() throws Exception {
        List<DiskCommand> cs = new ArrayList<>();
        cs.add(DiskCommands.create("d", 16 * MIB, 64 * 1024));
        long far = 200L * 64 * 1024;   // block 200: the BAT's second sector
        for (int i = 0; i < 10; i++) {   // new blocks before the first checkpoint and after each of the next three
            cs.add(DiskCommands.write("d", i * 64 * 1024L, Histories.data(100 + i, 4096)));
            cs.add(DiskCommands.write("d", far + i * 64 * 1024L, Histories.data(200 + i, 4096)));
        }
        onTmpfs(base -> powerLossEverywhere(base, cs, Integer.MAX_VALUE));
    }

    /**
     * A disk whose active layer is made after a checkpoint that followed a checkpoint load: disk e comes from the
     * checkpoint topic (a base sealed at offset 2, no active layer yet), a checkpoint at offset 5 while e has not been
     * written (untouched, or loaded by a rejected command), then new blocks of e in both BAT sectors before the next
     * checkpoint. A cut there recovers from offset 5, where e's new active layer must be cut back to no block.
     * Every cut after the load.
     */
    @Test
    void anActiveLayerMadeAfterACheckpointThatFollowedACheckpointLoadRecovers() throws Exception {
        for (boolean touched : new boolean[] {false, true}) {
            List<DiskCommand> cs = new ArrayList<>();
            cs.add(DiskCommands.create("e", 16 * MIB, 64 * 1024));
            cs.add(DiskCommands.write("e", 0, Histories.data(1, 4096)));
            cs.add(DiskCommands.snapshot("e", "s0", null));   // offset 2: the base the checkpoint topic holds
            cs.add(DiskCommands.create("d", 2 * MIB, 64 * 1024));
            cs.add(touched ? DiskCommands.snapshot("e", "s0", null)   // rejected (a duplicate): e loaded, not written
                    : DiskCommands.write("d", 0, Histories.data(2, 4096)));
            long far = 200L * 64 * 1024;
            for (int i = 1; i < 8; i++) {   // after the checkpoint at 5: e's layer 1 made, blocks in both BAT sectors
                cs.add(DiskCommands.write("e", (i % 2 == 0 ? far : 0) + i * 64 * 1024L, Histories.data(100 + i, 4096)));
            }
            List<CheckpointLogs.Rec> topic = checkpointTopicAfter(work.resolve("first-run-" + touched), cs.subList(0, 3), "e");
            onTmpfs(base -> powerLossAfterALoad(base, topic, cs));
        }
    }

    /** As LayerStore.loadCheckpoint: the disks from {@code topic}, the offsets file, then the replay from there. */
    private void powerLossAfterALoad(Path base, List<CheckpointLogs.Rec> topic, List<DiskCommand> cs) throws Exception {
        // The load itself is not cut here (its own crash safety: CheckpointLoadKillIT); recorded from its end on.
        Path recorded = base.resolve("recorded");
        Path offsets = recorded.resolve(LayerNames.OFFSETS_DIR).resolve(LayerNames.offsetsFile(TOPIC, 0));
        io.vhdstream.topology.disk.FileOps.createDirectories(offsets.getParent());
        CheckpointLoader.Loaded l;
        try (CheckpointLog log = CheckpointLogs.of(topic).open(Map.of())) {
            l = CheckpointLoader.load(log, new TopicPartition(TOPIC, 0), recorded, (c, b) -> { });
        }
        assertEquals(3, l.replayFrom());
        OffsetsFile.write(offsets, l.replayFrom(), LayerMarks.ofLoadedDisks(l.replayFrom(), recorded, l.bases().keySet()));
        Map<String, byte[]> files = new java.util.TreeMap<>();
        List<String> dirs = new ArrayList<>();
        try (var walk = Files.walk(recorded)) {
            for (Path p : walk.skip(1).toList()) {
                String rel = recorded.relativize(p).toString();
                if (Files.isDirectory(p)) {
                    dirs.add(rel);
                } else {
                    files.put(rel, Files.readAllBytes(p));
                }
            }
        }
        RecordingFs fs = RecordingFs.over(recorded);
        run(fs.root(), cs, (int) l.replayFrom());
        powerLoss(fs, recorded, cs, files, dirs, Integer.MAX_VALUE);
    }

    /** The checkpoint topic's records of {@code diskId} after {@code cs} ran in {@code dir}: its base and metadata. */
    private static List<CheckpointLogs.Rec> checkpointTopicAfter(Path dir, List<DiskCommand> cs, String diskId) throws Exception {
        run(dir, cs, 0);
        List<CheckpointLogs.Rec> recs = new ArrayList<>();
        CheckpointRecords records = new CheckpointRecords("checkpoints");
        try (DiskLayers l = DiskLayers.under(dir, 4, retention())) {
            io.vhdstream.topology.disk.DiskState disk = l.state(diskId);
            Path base = l.directory(diskId).resolve(LayerNames.BASE);
            long through = l.sealedLayers(diskId).get(0).sealOffset();
            try (io.vhdstream.vhd.image.VhdImage img = io.vhdstream.vhd.image.VhdImage.open(base,
                    io.vhdstream.vhd.image.OpenOptions.READ)) {
                for (long c : CheckpointRecords.presentChunks(base)) {
                    records.chunk(disk, img, c, through, (k, v) -> recs.add(new CheckpointLogs.Rec(0, k, v)));
                }
            }
            records.base(disk, l.sealedLayers(diskId).subList(0, 1), l.merges(diskId), through,
                    (k, v) -> recs.add(new CheckpointLogs.Rec(0, k, v)));
        }
        return recs;
    }

    /** The whole history, seals and merges: a seeded sample of the cuts, or all with -Dvhdstream.powerloss.cuts=all. */
    @Test
    void sampledCutsOfAHistoryWithMergesRecover() throws Exception {
        String most = System.getProperty("vhdstream.powerloss.cuts", String.valueOf(SAMPLED_CUTS));
        onTmpfs(base -> powerLossEverywhere(base, history(), most.equals("all") ? Integer.MAX_VALUE : Integer.parseInt(most)));
    }

    private interface Body {
        void run(Path base) throws Exception;
    }

    private void onTmpfs(Body body) throws Exception {
        // Hundreds of recoveries, each with its fsyncs: on tmpfs (where an fsync costs nothing) when there is one.
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "layer-power-loss-") : work;
        try {
            body.run(base);
        } finally {
            if (base != work) {
                io.vhdstream.topology.disk.FileOps.deleteTree(base);
            }
        }
    }

    private void powerLossEverywhere(Path work, List<DiskCommand> cs, int most) throws Exception {
        Path recorded = work.resolve("recorded");
        Files.createDirectories(recorded);
        RecordingFs fs = RecordingFs.over(recorded);
        run(fs.root(), cs, 0);
        assertTrue(cs.size() < 60 || Files.exists(recorded.resolve("d").resolve(io.vhdstream.topology.disk.MergeRecord.FILE)),
                "the history merges");
        powerLoss(fs, recorded, cs, Map.of(), List.of(), most);
    }

    /**
     * Cuts of what {@code fs} recorded (the run of {@code cs} in {@code recorded}, which held {@code files} and
     * {@code dirs} when the recording started): each must recover to what the run left.
     */
    private void powerLoss(RecordingFs fs, Path recorded, List<DiskCommand> cs, Map<String, byte[]> files, List<String> dirs,
                           int most) throws Exception {
        Map<String, String> want = Layers.fileHashes(recorded);
        List<FsEvent> events = fs.events();
        List<Integer> all = PowerCuts.interestingCuts(events);
        List<Integer> cuts = new ArrayList<>(all);
        if (most < all.size()) {
            Collections.shuffle(cuts, new Random(Long.getLong("vhdstream.powerloss.seed", 9)));
            cuts = cuts.subList(0, most);
        }
        AtomicInteger n = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        int states = PowerCuts.visit(files, dirs, events, cuts, 2, 96, s -> {
            // In the recorded directory's place: the layers' parent locators hold absolute paths.
            Path dir = recorded;
            n.incrementAndGet();
            io.vhdstream.topology.disk.FileOps.deleteTree(dir);
            s.materialize(dir);
            try {
                recover(dir, cs);
                Map<String, String> got = Layers.fileHashes(dir);
                if (!got.equals(want)) {
                    failures.add(s.label() + ": after replay the directory differs: " + diff(want, got));
                    System.out.println("POWERLOSS " + failures.get(failures.size() - 1));
                }
            } catch (Exception | AssertionError e) {
                failures.add(s.label() + ": recovery failed: " + e);
                System.out.println("POWERLOSS " + failures.get(failures.size() - 1));
            }
        });
        System.out.printf("LayerStorePowerLossTest: %d events, %d of %d cuts, %d crash states, %d failed%n", events.size(),
                cuts.size(), all.size(), states, failures.size());
        assertTrue(failures.isEmpty(), failures.size() + " of " + states + " power-loss states did not recover:\n"
                + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }

    private static String diff(Map<String, String> want, Map<String, String> got) {
        List<String> d = new ArrayList<>();
        for (String k : want.keySet()) {
            if (!got.containsKey(k)) {
                d.add("missing " + k);
            } else if (!got.get(k).equals(want.get(k))) {
                d.add("differs " + k);
            }
        }
        for (String k : got.keySet()) {
            if (!want.containsKey(k)) {
                d.add("extra " + k);
            }
        }
        return String.join(", ", d);
    }
}
