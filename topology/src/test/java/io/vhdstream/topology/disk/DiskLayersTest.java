package io.vhdstream.topology.disk;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.deadletter.ReasonCodes;
import io.vhdstream.topology.support.DiskModel;
import io.vhdstream.topology.support.Layers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.vhdstream.topology.produce.DiskCommands.create;
import static io.vhdstream.topology.produce.DiskCommands.snapshot;
import static io.vhdstream.topology.produce.DiskCommands.trim;
import static io.vhdstream.topology.produce.DiskCommands.write;
import static io.vhdstream.topology.support.Histories.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiskLayersTest {
    static final long MIB = 1 << 20;

    @TempDir
    Path work;

    private long offset;

    private Outcome apply(DiskLayers l, DiskCommand c, int partition) throws IOException {
        List<Outcome> out = new ArrayList<>();
        l.apply(c, new Position("t", partition, offset++, 1_700_000_000_000L + offset), false, out::add);
        assertEquals(1, out.size(), "one outcome per record");
        return out.get(0);
    }

    @Test
    void aDiskStaysWithThePartitionThatCreatedIt() throws Exception {
        try (DiskLayers l = DiskLayers.under(work, 4)) {
            assertInstanceOf(Outcome.Applied.class, apply(l, create("d", MIB, 1 << 20), 0));
            Outcome o = apply(l, write("d", 0, data(1, 512)), 1);
            assertEquals(ReasonCodes.KEY_MISMATCH, ((Outcome.Rejected) o).reasonCode());
            assertInstanceOf(Outcome.Applied.class, apply(l, write("d", 0, data(1, 512)), 0));
        }
    }

    @Test
    void manyDisksThroughFewOpenLayers() throws Exception {
        List<DiskModel> models = new ArrayList<>();
        try (DiskLayers l = DiskLayers.under(work, 2)) {
            for (int d = 0; d < 5; d++) {
                models.add(new DiskModel("d" + d, 4 * MIB));
                apply(l, create("d" + d, 4 * MIB, 1 << 20), 0);
            }
            for (int i = 0; i < 200; i++) {
                DiskModel m = models.get(i % 5);
                DiskCommand c = i % 37 == 0 ? snapshot(m.diskId(), "s" + i, null)
                        : write(m.diskId(), (long) (i * 7919 % 8000) * 512, data(i, 4096));
                assertFalse(apply(l, c, 0) instanceof Outcome.Rejected);
                m.apply(c);
            }
            l.sync();
            for (DiskModel m : models) {
                List<SealedLayer> sealed = l.sealedLayers(m.diskId());
                Path top = work.resolve(m.diskId()).resolve(LayerNames.activeFile(sealed.size()));
                Layers.assertSameContent(m.content(), Layers.read(top), m.diskId());
            }
        }
    }

    @Test
    void trimOfTheBaseLayerZeroesOnlyWhatItHolds() throws Exception {
        try (DiskLayers l = DiskLayers.under(work, 4)) {
            apply(l, create("d", 4 * MIB, 1 << 20), 0);
            apply(l, write("d", 8192, data(1, 4096)), 0);
            apply(l, trim("d", 0, 2 * MIB), 0);       // one allocated block partly held, one unallocated
            l.sync();
            Path base = work.resolve("d").resolve(LayerNames.BASE);
            assertEquals(8, Layers.presentSectors(base), "the written sectors, now zeros; nothing else");
            Layers.assertSameContent(new byte[(int) (4 * MIB)], Layers.read(base), "all zeros");
        }
    }

    @Test
    void aRebuildStopsAtItsSnapshotWithoutOpeningALayerAboveIt() throws Exception {
        try (DiskLayers l = DiskLayers.under(work, 4)) {
            l.stopAfter("d", "s2");
            apply(l, create("d", MIB, 1 << 20), 0);
            apply(l, snapshot("d", "s1", null), 0);
            apply(l, snapshot("d", "s2", null), 0);
            assertTrue(Files.exists(work.resolve("d").resolve("0001@s2.vhd")), "layer 1, sealed by s2, holds s2");
            assertFalse(Files.exists(work.resolve("d").resolve("0002.vhd")));
        }
    }

    @Test
    void aDirectoryThatLostASealedLayerIsRefused() throws Exception {
        try (DiskLayers l = DiskLayers.under(work, 4)) {
            apply(l, create("d", MIB, 1 << 20), 0);
            apply(l, snapshot("d", "s1", null), 0);
            l.sync();
        }
        Files.delete(work.resolve("d").resolve(LayerNames.BASE));
        try (DiskLayers l = DiskLayers.under(work, 4)) {
            LayerDirectoryException e = assertThrows(LayerDirectoryException.class,
                    () -> apply(l, write("d", 0, data(2, 512)), 0));
            assertTrue(e.getMessage().contains("base.vhd is missing"), e.getMessage());
        }
    }
}
