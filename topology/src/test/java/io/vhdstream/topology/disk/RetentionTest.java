package io.vhdstream.topology.disk;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.topology.catalog.DiskCatalog;
import io.vhdstream.topology.catalog.DiskInfo;
import io.vhdstream.topology.support.DiskModel;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.vhdstream.topology.produce.DiskCommands.create;
import static io.vhdstream.topology.produce.DiskCommands.snapshot;
import static io.vhdstream.topology.produce.DiskCommands.trim;
import static io.vhdstream.topology.produce.DiskCommands.write;
import static io.vhdstream.topology.support.Histories.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retention: merges into the base, their journal, names that say what a layer holds, the old layout. */
class RetentionTest {
    static final long MIB = 1 << 20;
    static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path work;

    /** A history of one disk: random writes and trims, a snapshot every few commands, timestamps 1 s apart. */
    private static List<DiskCommand> history(String id, int snapshots, long seed) {
        Random r = new Random(seed);
        List<DiskCommand> cmds = new ArrayList<>();
        cmds.add(create(id, 4 * MIB, 512 * 1024));
        for (int s = 0; s < snapshots; s++) {
            for (int k = 1 + r.nextInt(4); k > 0; k--) {
                long at = (long) r.nextInt(8000) * 512;
                if (r.nextInt(6) == 0) {
                    cmds.add(trim(id, at, 512L * (1 + r.nextInt(64))));
                } else {
                    cmds.add(write(id, at, data(r.nextLong(), 512 * (1 + r.nextInt(16)))));
                }
            }
            cmds.add(snapshot(id, "s" + s, null));
        }
        return cmds;
    }

    private static List<Outcome> run(DiskLayers l, List<DiskCommand> cmds, long stepMs) throws IOException {
        List<Outcome> outs = new ArrayList<>();
        for (int i = 0; i < cmds.size(); i++) {
            l.apply(cmds.get(i), new Position("t", 0, i, T0 + i * stepMs), false, outs::add);
        }
        l.sync();
        return outs;
    }

    private static List<String> vhdFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(LayerNames::isLayerFile).sorted().toList();
        }
    }

    private static int depth(Path top) throws IOException {
        try (VhdChain c = VhdChain.open(top, ChainOptions.forImage(top), false)) {
            return c.layers().size();
        }
    }

    /** Every retained snapshot reads as the model; the merged ones' files are gone; every chain checks clean. */
    private static void assertRetained(DiskLayers l, Path dir, DiskModel model, int retained) throws IOException {
        List<SealedLayer> sealed = l.sealedLayers(model.diskId());
        int n = sealed.size();
        int level = Math.max(0, n - retained);
        List<MergeRecord> merges = l.merges(model.diskId());
        assertEquals(level, merges.isEmpty() ? 0 : merges.get(merges.size() - 1).toIndex(), "base level");
        for (SealedLayer s : sealed) {
            int i = s.layerIndex();
            if (i < level) {
                if (i > 0) {
                    assertFalse(Files.exists(dir.resolve(s.fileName())), s.fileName() + " was merged");
                }
                continue; // no longer rebuildable from the directory
            }
            if (i == level && i > 0) {
                assertFalse(Files.exists(dir.resolve(s.fileName())), s.fileName() + " was merged");
            }
            Path top = dir.resolve(l.chainFile(model.diskId(), i));
            Layers.assertSameContent(model.snapshot(s.snapshotId()), Layers.read(top), "snapshot " + s.snapshotId());
            Layers.assertClean(top);
            assertTrue(depth(top) <= retained, "chain depth of " + top);
        }
        assertEquals(Math.min(n, retained) + 1, vhdFiles(dir).size(), "base, retained sealed layers, active: " + vhdFiles(dir));
    }

    @Test
    void aSealPastTheWindowMergesTheOldestLayerIntoTheBase() throws Exception {
        List<DiskCommand> cmds = history("d", 20, 1);
        DiskModel model = new DiskModel("d", 4 * MIB);
        cmds.forEach(model::apply);
        try (DiskLayers l = DiskLayers.under(work, 4, new Retention(3, Long.MAX_VALUE / 4))) {
            List<Outcome> outs = run(l, cmds, 1000);
            int seals = 0;
            for (Outcome o : outs) {
                if (o instanceof Outcome.Sealed s) {
                    seals++;
                    assertEquals(seals > 3 ? 1 : 0, s.merges().size(), "merges at seal " + seals);
                    if (seals > 3) {
                        MergeRecord m = s.merges().get(0);
                        assertEquals(List.of(seals - 3, seals - 3), List.of(m.fromIndex(), m.toIndex()));
                    }
                }
            }
            assertRetained(l, work.resolve("d"), model, 3);
            assertTrue(vhdFiles(work.resolve("d")).contains("0019@s19.vhd"), "a sealed layer is named after its snapshot");
            assertTrue(vhdFiles(work.resolve("d")).contains("0020.vhd"), "the active layer has no snapshot in its name");
            // disk list/show --layers: the retained snapshots with the files they are read from, the rest as merged
            DiskInfo shown = DiskCatalog.fromDiskDirectory(work.resolve("d"));
            assertEquals(List.of("s17=base.vhd", "s18=0018@s18.vhd", "s19=0019@s19.vhd"),
                    shown.snapshots().stream().map(s -> s.snapshotId() + "=" + s.layerFile()).toList());
            assertEquals(Files.size(work.resolve("d").resolve("base.vhd")), shown.snapshots().get(0).fileSize());
            assertEquals(java.util.stream.IntStream.range(0, 17).mapToObj(i -> "s" + i).toList(), shown.merged());
        }
    }

    @Test
    void snapshotsOlderThanTheAgeLimitAreMergedAndTheNewestStays() throws Exception {
        List<DiskCommand> cmds = history("d", 12, 2);
        DiskModel model = new DiskModel("d", 4 * MIB);
        cmds.forEach(model::apply);
        // Commands 1 s apart, a snapshot every 2..5 commands: 8 s keeps the last few snapshots, never fewer than one.
        try (DiskLayers l = DiskLayers.under(work, 4, new Retention(Retention.MAX_SNAPSHOTS, 8_000))) {
            run(l, cmds, 1000);
            List<SealedLayer> sealed = l.sealedLayers("d");
            int level = l.merges("d").get(l.merges("d").size() - 1).toIndex();
            long newest = sealed.get(sealed.size() - 1).sealedAt();
            assertTrue(sealed.get(level).sealedAt() >= newest - 8_000, "the base's snapshot is within the age");
            assertTrue(sealed.get(level - 1).sealedAt() < newest - 8_000, "the one before it was too old");
            Path dir = work.resolve("d");
            for (int i = level; i < sealed.size(); i++) {
                Layers.assertSameContent(model.snapshot(sealed.get(i).snapshotId()),
                        Layers.read(dir.resolve(l.chainFile("d", i))), "snapshot " + i);
            }
        }
        // With one snapshot every day and a 1 ms age limit, only the newest snapshot stays.
        Path other = work.resolve("other");
        try (DiskLayers l = DiskLayers.under(other, 4, new Retention(Retention.MAX_SNAPSHOTS, 1))) {
            run(l, cmds, 86_400_000L);
            assertRetained(l, other.resolve("d"), model, 1);
        }
    }

    @Test
    void aReplayReportsTheSameMergesAndChangesNoFile() throws Exception {
        List<DiskCommand> cmds = history("d", 10, 3);
        Retention keep2 = new Retention(2, Long.MAX_VALUE / 4);
        List<Outcome> first;
        try (DiskLayers l = DiskLayers.under(work, 4, keep2)) {
            first = run(l, cmds, 1000);
        }
        var before = Layers.fileHashes(work);
        try (DiskLayers l = DiskLayers.under(work, 4, keep2)) {
            List<Outcome> again = run(l, cmds, 1000);
            for (int i = 0; i < first.size(); i++) {
                if (first.get(i) instanceof Outcome.Sealed s) {
                    Outcome.Sealed r = assertInstanceOf(Outcome.Sealed.class, again.get(i));
                    assertTrue(r.replayed());
                    assertEquals(s.merges(), r.merges(), "merges reported again at " + i);
                    assertEquals(s.layer(), r.layer());
                }
            }
        }
        assertEquals(before, Layers.fileHashes(work), "a replay changes no file");
    }

    @Test
    void aJournaledMergeThatWasCutShortIsRedoneOnLoad() throws Exception {
        List<DiskCommand> cmds = history("d", 6, 4);
        DiskModel model = new DiskModel("d", 4 * MIB);
        cmds.forEach(model::apply);
        Path dir = work.resolve("d");
        List<SealedLayer> sealed;
        try (DiskLayers l = DiskLayers.under(work, 4, new Retention(10, Long.MAX_VALUE / 4))) {
            run(l, cmds, 1000);
            sealed = l.sealedLayers("d");
        }
        // The state of a crash right after the journal line (and, for layer 1, after its coalesce too).
        io.vhdstream.vhd.coalesce.Coalescer.coalesce(dir.resolve(sealed.get(1).fileName()),
                ChainOptions.forImage(dir.resolve(sealed.get(1).fileName())), io.vhdstream.vhd.ProgressListener.NONE);
        Files.writeString(dir.resolve(MergeRecord.FILE), new MergeRecord(sealed.get(5).sealOffset(), 1, 3).toLine(),
                StandardCharsets.UTF_8);
        try (DiskLayers l = DiskLayers.under(work, 4, new Retention(10, Long.MAX_VALUE / 4))) {
            assertEquals(3, l.merges("d").get(0).toIndex());
            assertRetained(l, dir, model, 3);
            assertFalse(Files.exists(io.vhdstream.vhd.coalesce.CoalesceMarker.of(dir.resolve(LayerNames.BASE))));
        }
    }

    @Test
    void theOldLayoutIsReadAndItsActiveLayerRenamed() throws Exception {
        // A directory as the layout before names said what they hold made it: NNNN-<opening snapshot>.vhd.
        Path dir = work.resolve("d");
        Files.createDirectories(dir);
        byte[] a = data(1, 8192);
        byte[] b = data(2, 4096);
        VhdCreator.dynamic(dir.resolve("base.vhd"), 4 * MIB, 512 * 1024);
        writeAt(dir.resolve("base.vhd"), 0, a);
        VhdCreator.differencing(dir.resolve("0001-s1.vhd"), dir.resolve("base.vhd"));
        writeAt(dir.resolve("0001-s1.vhd"), 4096, b);
        VhdCreator.differencing(dir.resolve("0002-s2.vhd"), dir.resolve("0001-s1.vhd"));
        DiskState.created("d", new Position("t", 0, 0, T0), 4 * MIB, 512 * 1024).write(dir.resolve(LayerNames.STATE));
        Files.writeString(dir.resolve(LayerNames.SEALED), legacyLine(dir, 0, "base.vhd", "s1", 1)
                + legacyLine(dir, 1, "0001-s1.vhd", "s2", 3), StandardCharsets.UTF_8);

        DiskModel model = new DiskModel("d", 4 * MIB);
        model.apply(write("d", 0, a));
        model.apply(snapshot("d", "s1", null));
        model.apply(write("d", 4096, b));
        model.apply(snapshot("d", "s2", null));
        List<DiskCommand> more = List.of(write("d", 100 * 512, data(3, 1024)), snapshot("d", "s3", null),
                write("d", 0, data(4, 512)), snapshot("d", "s4", null));
        more.forEach(model::apply);
        try (DiskLayers l = DiskLayers.under(work, 4, new Retention(2, Long.MAX_VALUE / 4))) {
            for (int i = 0; i < more.size(); i++) {
                List<Outcome> o = new ArrayList<>();
                l.apply(more.get(i), new Position("t", 0, 10 + i, T0 + 10 + i), false, o::add);
                assertFalse(o.get(0) instanceof Outcome.Rejected, o::toString);
            }
            l.sync();
            assertEquals(List.of("0003@s4.vhd", "0004.vhd", "base.vhd"), vhdFiles(dir),
                    "the old layout's layers merged into the base, its active layer sealed under the new name");
            assertEquals("0002@s3.vhd", l.sealedLayers("d").get(2).fileName());
            assertRetained(l, dir, model, 2);
        }
    }

    private static String legacyLine(Path dir, int index, String file, String snap, long offset) throws IOException {
        try (VhdImage img = VhdImage.open(dir.resolve(file))) {
            java.util.UUID parent = index == 0 ? null
                    : ((io.vhdstream.vhd.image.SparseImage) img).header().parentUniqueId();
            return new SealedLayer(index, file, snap, offset, index == 0 ? 0 : 2, T0 + offset, img.footer().uniqueId(),
                    parent, 0, Files.size(dir.resolve(file)), new byte[32], null).toLine();
        }
    }

    private static void writeAt(Path image, long at, byte[] data) throws IOException {
        try (VhdImage img = VhdImage.open(image, OpenOptions.WRITE)) {
            img.write(at, ByteBuffer.wrap(data));
            img.sync();
        }
    }

    @Test
    void commandsForDisksThatDoNotExistLeaveNothingInMemory() throws Exception {
        try (DiskLayers l = DiskLayers.under(work, 2)) {
            for (int i = 0; i < 5000; i++) {
                List<Outcome> o = new ArrayList<>();
                l.apply(write("ghost-" + i, 0, data(i, 512)), new Position("t", 0, i, T0), false, o::add);
                assertInstanceOf(Outcome.Rejected.class, o.get(0));
            }
            assertEquals(0, l.cachedDisks(), "unknown ids are not remembered");
            for (int i = 0; i < DiskCache.CACHED_DISKS + 100; i++) {
                l.apply(create("d" + i, MIB, 1 << 20), new Position("t", 0, 10_000 + i, T0), false, DiskLayers.DISCARD);
            }
            assertTrue(l.cachedDisks() <= DiskCache.CACHED_DISKS + 2, "cached: " + l.cachedDisks());
            // An evicted disk keeps its active layer's mark in the checkpoints (a power loss after it is written
            // again cuts it back to that length).
            Path d0 = work.resolve(LayerNames.diskDir("d0")).resolve(LayerNames.activeFile(0));
            assertTrue(l.syncAndMark().lines().contains(LayerNames.encode("d0") + " " + d0.getFileName() + " " + Files.size(d0)),
                    "the evicted disk d0 is marked");
            // An evicted disk loads again with its state.
            List<Outcome> o = new ArrayList<>();
            l.apply(write("d0", 0, data(1, 512)), new Position("t", 0, 20_000, T0), false, o::add);
            assertInstanceOf(Outcome.Applied.class, o.get(0));
        }
    }
}
