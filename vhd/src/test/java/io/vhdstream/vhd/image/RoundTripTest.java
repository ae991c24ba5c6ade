package io.vhdstream.vhd.image;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.coalesce.Coalescer;
import io.vhdstream.vhd.convert.Exporter;
import io.vhdstream.vhd.convert.Importer;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The engine's main paths end to end on small images: create, write, snapshot, read, export, coalesce. */
class RoundTripTest {
    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] readAll(Path top) throws Exception {
        try (VhdChain c = VhdChain.open(top)) {
            ByteBuffer b = ByteBuffer.allocate((int) c.virtualSize());
            c.read(0, b);
            return b.array();
        }
    }

    @Test
    void dynamicWriteSnapshotReadExportCoalesce() throws Exception {
        int size = 6 << 20;
        byte[] model = new byte[size];
        Path base = dir.resolve("base.vhd");
        VhdCreator.dynamic(base, size, 1 << 20);
        byte[] a = random(3 * 512, 1);
        try (VhdImage img = VhdImage.open(base, OpenOptions.WRITE)) {
            img.write(1024, ByteBuffer.wrap(a));
        }
        System.arraycopy(a, 0, model, 1024, a.length);
        assertArrayEquals(model, readAll(base));

        Path child = dir.resolve("child.vhd");
        VhdCreator.differencing(child, base);
        byte[] b = random((1 << 20) + 512, 2);
        try (VhdImage img = VhdImage.open(child, OpenOptions.WRITE)) {
            img.write(1536, ByteBuffer.wrap(b)); // spans two blocks, overlaps the parent's sectors partly
            img.write(5 << 20, ByteBuffer.wrap(new byte[512]));
        }
        System.arraycopy(b, 0, model, 1536, b.length);
        assertArrayEquals(model, readAll(child));
        try (VhdImage img = VhdImage.open(child)) {
            assertEquals(List.of(new Extent(1536, b.length), new Extent(5 << 20, 512)), img.presentExtents());
        }
        var report = VhdChecker.check(child, ChainOptions.forImage(child));
        assertTrue(report.clean(), report.problems()::toString);
        assertTrue(VhdChecker.check(base, ChainOptions.forImage(base)).clean());

        Path raw = dir.resolve("out.raw");
        try (VhdChain c = VhdChain.open(child)) {
            Exporter.export(c, raw, ProgressListener.NONE);
        }
        assertArrayEquals(model, Files.readAllBytes(raw));

        Coalescer.coalesce(child, ChainOptions.forImage(child), ProgressListener.NONE);
        assertArrayEquals(model, readAll(base));
        assertTrue(VhdChecker.check(base, ChainOptions.forImage(base)).clean());

        Path again = dir.resolve("again.vhd");
        Importer.importRaw(raw, again, DiskType.DYNAMIC, 1 << 20, ProgressListener.NONE);
        assertArrayEquals(model, readAll(again));
        Path fixed = dir.resolve("fixed.vhd");
        Importer.importRaw(raw, fixed, DiskType.FIXED, 0, ProgressListener.NONE);
        assertArrayEquals(model, readAll(fixed));

        byte[] changed = model.clone();
        changed[4 << 20] = 7;
        Path raw2 = dir.resolve("changed.raw");
        Files.write(raw2, changed);
        Path diff = dir.resolve("diff.vhd");
        Importer.importDiff(raw2, diff, again, ChainOptions.forImage(diff), ProgressListener.NONE);
        assertArrayEquals(changed, readAll(diff));
        try (VhdImage img = VhdImage.open(diff)) {
            assertEquals(List.of(new Extent(4 << 20, 512)), img.presentExtents());
        }
    }

    @Test
    void secondWriterIsRefused() throws Exception {
        Path p = dir.resolve("d.vhd");
        VhdCreator.dynamic(p, 1 << 20, 1 << 20);
        try (VhdImage img = VhdImage.open(p, OpenOptions.WRITE)) {
            VhdException e = assertThrows(VhdException.class, () -> VhdImage.open(p, OpenOptions.WRITE));
            assertEquals(ProblemCode.IMAGE_LOCKED, e.code());
        }
    }
}
