package io.vhdstream.vhd.convert;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipelined export: many buffers' worth of runs in order, progress, and a reader failure reaching the caller. */
class ExporterTest {
    @TempDir
    Path dir;

    /** A 12 MiB two-layer disk in 64 KiB blocks: runs longer than a buffer, and many short ones over them. */
    private byte[] make(Path base, Path top) throws Exception {
        int size = 12 << 20;
        byte[] model = new byte[size];
        Random r = new Random(7);
        VhdCreator.dynamic(base, size, 64 << 10);
        try (VhdImage img = VhdImage.open(base, OpenOptions.WRITE)) {
            byte[] a = new byte[(3 << 20) + 4096];
            r.nextBytes(a);
            img.write(512, ByteBuffer.wrap(a));
            System.arraycopy(a, 0, model, 512, a.length);
        }
        VhdCreator.differencing(top, base);
        try (VhdImage img = VhdImage.open(top, OpenOptions.WRITE)) {
            for (int i = 0; i < 40; i++) {
                byte[] b = new byte[512 * (1 + r.nextInt(600))];
                r.nextBytes(b);
                long at = 512L * r.nextInt((size - b.length) / 512);
                img.write(at, ByteBuffer.wrap(b));
                System.arraycopy(b, 0, model, (int) at, b.length);
            }
        }
        return model;
    }

    @Test
    @Timeout(60)
    void exportsTheChainAndReportsProgressFromTheCallingThread() throws Exception {
        Path base = dir.resolve("base.vhd");
        Path top = dir.resolve("top.vhd");
        byte[] model = make(base, top);
        Path raw = dir.resolve("out.raw");
        List<Long> done = new ArrayList<>();
        Thread caller = Thread.currentThread();
        try (VhdChain c = VhdChain.open(top)) {
            Exporter.export(c, raw, (d, total) -> {
                assertEquals(caller, Thread.currentThread());
                done.add(d);
            });
        }
        assertArrayEquals(model, Files.readAllBytes(raw));
        assertEquals((long) model.length, done.get(done.size() - 1));
    }

    /**
     * Makes the two-layer disk, opens the chain, then cuts {@code layer}'s file to {@code keep(its size)} bytes
     * behind the chain's back and exports to {@code raw}: the export's typed failure.
     */
    private VhdException exportCutShort(String layer, LongUnaryOperator keep, Path raw) throws Exception {
        Path base = dir.resolve("base.vhd");
        Path top = dir.resolve("top.vhd");
        make(base, top);
        try (VhdChain c = VhdChain.open(top)) {
            try (FileChannel ch = FileChannel.open(dir.resolve(layer), StandardOpenOption.WRITE)) {
                ch.truncate(keep.applyAsLong(ch.size()));
            }
            return assertThrows(VhdException.class, () -> Exporter.export(c, raw, ProgressListener.NONE));
        }
    }

    @Test
    @Timeout(60)
    void aReadFailureInTheReaderReachesTheCallerTyped() throws Exception {
        // the base's blocks now end past the end of its file
        VhdException e = exportCutShort("base.vhd", size -> 64 << 10, dir.resolve("out.raw"));
        assertEquals(ProblemCode.FILE_TOO_SMALL, e.code());
        assertTrue(waitForReaders(), "a reader or copier thread outlived the export");
    }

    @Test
    @Timeout(60)
    void aLayerCutShortInsideABlocksDataFailsTypedAndLeavesNoOutput() throws Exception {
        // the top's last block keeps its bitmap and half its data: the copier's read of that block comes up short
        // after the resolver has handed it out, which must be a typed error, not a partial output
        VhdException e = exportCutShort("top.vhd", size -> size - 512 - (32 << 10), dir.resolve("out.raw"));
        assertEquals(ProblemCode.FILE_TOO_SMALL, e.code());
        assertTrue(e.getMessage().contains(dir.resolve("top.vhd").toString()), e.getMessage());
        assertTrue(waitForReaders(), "a reader or copier thread outlived the export");
        try (var left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(f -> f.getFileName().toString().contains("out.raw")).toList());
        }
    }

    private static boolean waitForReaders() throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            if (Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("vhd-export-"))) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Test
    @Timeout(60)
    void aFailingProgressListenerStopsTheReader() throws Exception {
        Path base = dir.resolve("base.vhd");
        Path top = dir.resolve("top.vhd");
        make(base, top);
        try (VhdChain c = VhdChain.open(top)) {
            RuntimeException boom = new IllegalStateException("stop");
            assertThrows(IllegalStateException.class, () -> Exporter.export(c, dir.resolve("out.raw"), (d, t) -> {
                throw boom;
            }));
        }
        assertTrue(waitForReaders(), "a reader or copier thread outlived the export");
    }
}
