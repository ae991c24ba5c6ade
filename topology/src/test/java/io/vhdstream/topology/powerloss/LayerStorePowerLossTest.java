package io.vhdstream.topology.powerloss;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.disk.Retention;
import io.vhdstream.topology.produce.DiskCommands;
import io.vhdstream.topology.store.OffsetsFile;
import io.vhdstream.topology.support.Histories;
import io.vhdstream.topology.support.Layers;
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
        Map<String, String> want = Layers.fileHashes(recorded);
        assertTrue(cs.size() < 60 || Files.exists(recorded.resolve("d").resolve(io.vhdstream.topology.disk.MergeRecord.FILE)),
                "the history merges");
        List<FsEvent> events = fs.events();
        List<Integer> all = PowerCuts.interestingCuts(events);
        List<Integer> cuts = new ArrayList<>(all);
        if (most < all.size()) {
            Collections.shuffle(cuts, new Random(Long.getLong("vhdstream.powerloss.seed", 9)));
            cuts = cuts.subList(0, most);
        }
        AtomicInteger n = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        int states = PowerCuts.visit(events, cuts, 2, 96, s -> {
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
