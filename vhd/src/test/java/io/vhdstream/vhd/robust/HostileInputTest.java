package io.vhdstream.vhd.robust;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.repair.VhdRepairer;
import io.vhdstream.vhd.testkit.Batmaps;
import io.vhdstream.vhd.testkit.VhdBytes;
import io.vhdstream.vhd.testkit.Vhds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.vhdstream.vhd.testkit.VhdBytes.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Hand-made hostile images aimed at the engine's resource and trust boundaries: every outcome must be a
 * typed {@link VhdException} or a correct read, never another exception, an unbounded allocation or a hang.
 */
class HostileInputTest {
    @TempDir
    Path dir;

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    /** Runs the action; only success or a VhdException is acceptable. Returns the VhdException, if any. */
    static VhdException typedOrOk(String what, Action a) {
        try {
            a.run();
            return null;
        } catch (VhdException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected success or a VhdException, got " + t, t);
        }
    }

    /** A batmap whose size field claims most of a large (sparse) file: the engine must not allocate it. */
    @Test
    void batmapSizeIsBoundedByTheBlockCountNotByTheFileSize() throws Exception {
        for (long fileSize : new long[] {(3L << 30) / 2, 3L << 30}) { // 1.5 GiB: over -Xmx1g; 3 GiB: int overflow
            Path p = dir.resolve("big-" + fileSize + ".vhd");
            VhdCreator.dynamic(p, 16 * 4096, 4096);
            Batmaps.addBatmap(p);
            VhdBytes v = VhdBytes.of(p);
            int hdr = v.batmap();
            long mapAt = v.batmapMap();
            // batmap header 16..19: map sectors = everything up to the end footer of the grown file
            v.put32(hdr + B_SECTORS, (fileSize - 512 - mapAt) / 512);
            byte[] footer = java.util.Arrays.copyOfRange(v.b, v.endFooter(), v.length());
            try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                raf.write(v.b, 0, v.endFooter());
                raf.setLength(fileSize); // a hole, not disk space
                raf.seek(fileSize - 512);
                raf.write(footer);
            }
            typedOrOk("open " + fileSize, () -> VhdImage.open(p, OpenOptions.READ).close());
            typedOrOk("check " + fileSize, () -> VhdChecker.check(p, ChainOptions.forImage(p)));
            typedOrOk("structure " + fileSize, () -> {
                var ps = Vhds.problems(p);
                assertTrue(ps.stream().map(Problem::code).anyMatch(c -> c.name().startsWith("BATMAP_")),
                        () -> "a batmap of " + ((fileSize - 512 - mapAt) / 512) + " sectors for 16 blocks must be reported: " + ps);
            });
            Files.delete(p);
        }
    }

    private Path childWithParent(Path in) throws IOException {
        Files.createDirectories(in);
        Path parent = in.resolve("parent.vhd");
        VhdCreator.dynamic(parent, 256 * 1024, 64 * 1024);
        Vhds.write(parent, 0, Vhds.random(new Random(1), 8192));
        Path child = in.resolve("child.vhd");
        VhdCreator.differencing(child, parent);
        Vhds.write(child, 4096, Vhds.random(new Random(2), 512));
        return child;
    }

    /**
     * A relative locator damaged to ".\" names the child's own directory. The W2ku locator still names the
     * parent: the chain should skip the directory like any other unusable candidate and open.
     */
    @Test
    void aLocatorNamingADirectoryIsSkipped() throws Exception {
        Path c = childWithParent(dir.resolve("a"));
        byte[] content = Vhds.readChain(c);
        VhdBytes.of(c).setLocatorPath(0, ".\\").save(c); // W2ru ".\parent.vhd" -> ".\"
        VhdException e = typedOrOk("chain open", () -> {
            assertArrayEquals(content, Vhds.readChain(c));
        });
        assertNull(e, () -> "W2ku still names the parent, the chain should open: " + e);
        typedOrOk("check", () -> VhdChecker.check(c, ChainOptions.forImage(c)));
    }

    /** Only a directory candidate left (W2ru "..", no W2ku, header name "."): a typed error. */
    @Test
    void aChainWhoseOnlyCandidateIsADirectoryFailsTyped() throws Exception {
        Path c = childWithParent(dir.resolve("sub/b"));
        VhdBytes v = VhdBytes.of(c);
        v.setLocatorPath(0, "..");
        v.locatorField32(1, L_CODE, 0).setParentName(".").save(c);
        VhdException e = typedOrOk("chain open", () -> VhdChain.open(c).close());
        assertNotNull(e, "no usable parent: the chain must not open");
        typedOrOk("check", () -> VhdChecker.check(c, ChainOptions.forImage(c)));
    }

    /** A locator naming a FIFO in the image directory: opening it for reading must not block forever. */
    @Test
    void aLocatorNamingAFifoDoesNotHang() throws Exception {
        Path c = childWithParent(dir.resolve("f"));
        Path fifo = c.resolveSibling("pipe.vhd");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mk.waitFor(), "mkfifo");
        VhdBytes.of(c).setLocatorPath(0, ".\\pipe.vhd").save(c); // W2ru -> the FIFO; W2ku still names the parent
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fifo-open");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<VhdException> f = ex.submit(() -> typedOrOk("chain open", () -> Vhds.readChain(c)));
            try {
                f.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException te) {
                // opening the write end releases the reader stuck in open(2), so the JVM can go on; then fail
                try (FileOutputStream unblock = new FileOutputStream(fifo.toFile())) {
                    unblock.flush();
                } catch (IOException ignored) {
                    // the reader may already be gone
                }
                fail("opening the chain blocked for 5 s on a FIFO named by a locator");
            }
        } finally {
            ex.shutdownNow();
        }
    }

    /**
     * The end footer is damaged and a BAT entry points 8 GiB past the end of the file. Repair must not
     * grow the file to "reach" that block (it would turn a garbage entry into a block of zeros): refuse, or
     * restore the footer in place.
     */
    @Test
    void repairDoesNotGrowTheFileToReachAGarbageBatEntry() throws Exception {
        Path p = dir.resolve("r.vhd");
        VhdCreator.dynamic(p, 256 * 1024, 64 * 1024);
        Vhds.write(p, 0, Vhds.random(new Random(3), 4096));
        VhdBytes v = VhdBytes.of(p);
        v.setBatEntry(2, 1L << 24); // block 2 at sector 2^24 = 8 GiB
        v.put8(v.endFooter() + F_ORIGINAL_SIZE + 7, 0x42).save(p); // end footer checksum broken; copy at 0 intact
        long before = Files.size(p);
        VhdException e = typedOrOk("repair", () -> VhdRepairer.repair(p));
        long after = Files.size(p);
        assertTrue(after <= before, "repair grew the file from " + before + " to " + after + " bytes"
                + (e == null ? " and reported success" : ""));
        if (e == null) {
            assertTrue(VhdChecker.check(p, ChainOptions.forImage(p)).problems().stream().noneMatch(Problem::fatal));
        }
    }

    /**
     * Old tools end a file with a 511-byte footer (the fact sheet: blktap reads it). The engine finds that
     * footer, but must then also take the blocks to end where it starts (fileSize - 511), not at
     * fileSize - 512, or the block right before it looks one byte past the end.
     */
    @Test
    void aFileEndingInA511ByteFooterReadsLikeTheFullOne() throws Exception {
        Path p = dir.resolve("short.vhd");
        VhdCreator.dynamic(p, 4 * 4096, 4096);
        Vhds.write(p, 0, Vhds.random(new Random(5), 512));
        Vhds.write(p, 3 * 4096, Vhds.random(new Random(6), 4096)); // the last block, right before the footer
        byte[] content = Vhds.readChain(p);
        byte[] whole = Files.readAllBytes(p);
        assertEquals(0, whole[whole.length - 1], "the footer's last byte is reserved (zero)");
        Files.write(p, java.util.Arrays.copyOf(whole, whole.length - 1)); // a 511-byte footer
        var problems = Vhds.problems(p);
        assertTrue(problems.stream().noneMatch(Problem::fatal), () -> "a 511-byte footer is readable: " + problems);
        assertArrayEquals(content, Vhds.readChain(p));
    }

    /**
     * A fixed disk has no footer copy: its first sector is data. When that data is itself a VHD (a dynamic
     * image stored on the disk) and the fixed disk's end footer has a bad checksum (one flipped reserved
     * bit), the engine must not take the guest's VHD footer for the disk's own and serve the inner image.
     */
    @Test
    void aFixedDiskHoldingAVhdIsNotMistakenForIt() throws Exception {
        Path inner = dir.resolve("inner.vhd");
        VhdCreator.dynamic(inner, 64 * 1024, 4096);
        Vhds.write(inner, 0, Vhds.random(new Random(8), 8192));
        byte[] innerBytes = Files.readAllBytes(inner);
        Path p = dir.resolve("outer.vhd");
        int size = 256 * 1024;
        VhdCreator.fixed(p, size);
        byte[] data = java.util.Arrays.copyOf(innerBytes, (innerBytes.length + 511) / 512 * 512);
        Vhds.write(p, 0, data); // the guest keeps a VHD file at the start of the disk
        Vhds.write(p, 128 * 1024, Vhds.random(new Random(9), 4096));
        byte[] raw = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.put8(v.endFooter() + 300, 1).save(p); // end footer: one reserved byte (300) flipped, checksum now wrong

        VhdException strict = typedOrOk("strict open", () -> {
            try (VhdImage img = VhdImage.open(p, OpenOptions.READ)) {
                assertEquals(io.vhdstream.vhd.footer.DiskType.FIXED, img.type(), "the disk is the fixed one, not the VHD inside it");
                assertEquals(size, img.virtualSize());
            }
        });
        if (strict != null) {
            assertEquals(ProblemCode.FOOTER_CHECKSUM, strict.code(), strict::getMessage);
        }
        typedOrOk("lenient read", () -> assertArrayEquals(raw, Vhds.readChain(p, ChainOptions.forImage(p).lenient())));
        VhdException e = typedOrOk("repair", () -> VhdRepairer.repair(p));
        if (e == null) {
            assertArrayEquals(raw, Vhds.readChain(p), "after repair the disk must still be the fixed disk");
        }
    }

    /** Zero-length and sector-short files, and a file of nothing but a footer copy, fail typed. */
    @Test
    void degenerateFiles() throws Exception {
        Path p = dir.resolve("d.vhd");
        VhdCreator.dynamic(p, 64 * 1024, 4096);
        byte[] whole = Files.readAllBytes(p);
        for (int len : new int[] {0, 1, 511, 512, 513, 1023, 1024, 1535, 1536, whole.length - 1}) {
            Files.write(p, java.util.Arrays.copyOf(whole, len));
            VhdException e = typedOrOk("open len=" + len, () -> VhdImage.open(p, OpenOptions.READ).close());
            typedOrOk("check len=" + len, () -> VhdChecker.check(p, ChainOptions.forImage(p)));
            if (len < 1024) {
                assertNotNull(e, "a " + len + "-byte file is no dynamic image");
            }
        }
        assertEquals(ProblemCode.FILE_TOO_SMALL, typedOrOk("empty", () -> {
            Files.write(p, new byte[0]);
            VhdImage.open(p, OpenOptions.READ).close();
        }).code());
    }
}
