package io.vhdstream.vhd.robust;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.check.CheckReport;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.repair.VhdRepairer;
import io.vhdstream.vhd.testkit.Batmaps;
import io.vhdstream.vhd.testkit.CrashingListener;
import io.vhdstream.vhd.testkit.CrashingListener.SimulatedCrash;
import io.vhdstream.vhd.testkit.DiskModel;
import io.vhdstream.vhd.testkit.VhdBytes;
import io.vhdstream.vhd.testkit.Vhds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Cuts the write sequence of block allocation and bitmap update after every N-th write, N = 0..all (the
 * {@code WriteListener} throws before write N+1, as a crash would), then: the image opens strict with no
 * fatal problem; check is clean or repair makes it clean (and the only thing a crash may leave is the
 * documented BATMAP_CHECKSUM window); every sector reads all-old or all-new; replaying the same write on
 * the crashed image converges to the content of the uncrashed run. See docs/crash-safety.md.
 */
class CrashSafetyTest {
    /** A crash may leave this, which repair fixes (docs/crash-safety.md, new block step 4). */
    static final Set<ProblemCode> CRASH_LEAVES = Set.of(ProblemCode.BATMAP_CHECKSUM);

    @TempDir
    Path dir;

    @FunctionalInterface
    interface Op {
        void apply(VhdImage img) throws IOException;
    }

    static Op write(long offset, byte[] data) {
        return img -> img.write(offset, ByteBuffer.wrap(data));
    }

    static Op zero(long offset, long length) {
        return img -> img.zero(offset, length);
    }

    /** Runs op on top with the listener installed; returns the writes seen. */
    static CrashingListener run(Path top, Op op, CrashingListener l) throws IOException {
        try (VhdImage img = VhdImage.open(top, OpenOptions.WRITE)) {
            img.file().setWriteListener(l);
            op.apply(img);
        }
        return l;
    }

    static CheckReport check(Path top) throws IOException {
        return VhdChecker.check(top, ChainOptions.forImage(top));
    }

    /**
     * The core: top (and its parents, untouched) as they are now is the pre-operation state.
     *
     * @return how many writes the operation makes
     */
    static int crashEverywhere(String name, Path top, Op op) throws IOException {
        byte[] pre = Files.readAllBytes(top);
        byte[] oldContent = Vhds.readChain(top);
        CheckReport preCheck = check(top);
        assertTrue(preCheck.clean(), () -> name + ": the pre-operation image must check clean: " + preCheck.problems());

        List<CrashingListener.Write> recorded = run(top, op, CrashingListener.recording()).writes();
        int total = recorded.size();
        assertTrue(total > 0, name + ": the operation writes something");
        byte[] newContent = Vhds.readChain(top);
        byte[] newFile = Files.readAllBytes(top);
        assertTrue(check(top).clean(), () -> name + ": the uncrashed run checks clean");
        assertFalse(Arrays.equals(oldContent, newContent), name + ": the operation changes the disk");

        for (int n = 0; n <= total; n++) {
            String ctx = name + ", crash after " + n + " of " + total + " writes " + recorded;
            Files.write(top, pre);
            CrashingListener l = CrashingListener.crashAfter(n);
            if (n < total) {
                assertThrows(SimulatedCrash.class, () -> run(top, op, l), ctx + ": the crash must surface unchanged");
            } else {
                run(top, op, l);
            }
            assertEquals(recorded.subList(0, n), l.writes(), ctx + ": same write sequence as the recorded run");

            // opens strict, nothing fatal
            try (VhdImage img = VhdImage.open(top, OpenOptions.READ)) {
                assertFalse(img.structure().fatal(), ctx);
            } catch (io.vhdstream.vhd.VhdException e) {
                fail(ctx + ": the crashed image does not open: " + e.getMessage(), e);
            }
            for (Problem p : Vhds.problems(top)) {
                assertFalse(p.fatal(), () -> ctx + ": " + p);
            }

            // per sector: all old or all new
            byte[] crashed = Vhds.readChain(top);
            assertEquals(oldContent.length, crashed.length);
            for (int s = 0; s * 512 < crashed.length; s++) {
                int from = s * 512;
                int to = Math.min(crashed.length, from + 512);
                boolean isOld = Arrays.equals(crashed, from, to, oldContent, from, to);
                boolean isNew = Arrays.equals(crashed, from, to, newContent, from, to);
                int sector = s;
                assertTrue(isOld || isNew, () -> ctx + ": sector " + sector + " is neither old nor new");
            }
            if (n == 0) {
                assertArrayEquals(oldContent, crashed, ctx + ": nothing written, nothing changed");
            }
            if (n == total) {
                assertArrayEquals(newContent, crashed, ctx);
                assertArrayEquals(newFile, Files.readAllBytes(top), ctx + ": deterministic");
            }

            // check clean, or repair makes it clean without changing the content
            CheckReport r = check(top);
            if (!r.clean()) {
                assertTrue(r.problems().stream().allMatch(p -> CRASH_LEAVES.contains(p.code())),
                        () -> ctx + ": a crash may leave only " + CRASH_LEAVES + ", found " + r.problems());
                List<String> actions = VhdRepairer.repair(top);
                assertFalse(actions.isEmpty(), ctx + ": repair had something to do");
                CheckReport after = check(top);
                assertTrue(after.clean(), () -> ctx + ": clean after repair " + actions + ": " + after.problems());
                assertArrayEquals(crashed, Vhds.readChain(top), ctx + ": repair must not change the content");
            }

            // replay converges
            run(top, op, CrashingListener.recording());
            String diff = DiskModel.difference(newContent, Vhds.readChain(top));
            assertNull(diff, () -> ctx + ": replay did not converge: " + diff);
            CheckReport replayed = check(top);
            assertTrue(replayed.clean(), () -> ctx + ": clean after replay: " + replayed.problems());
        }
        return total;
    }

    static byte[] rnd(long seed, int n) {
        return Vhds.random(new Random(seed), n);
    }

    // ------------------------------------------------------------------------------------------------
    // dynamic

    /** Before the operation block 0 alone is allocated: sectors 1..2 of it, or all of a block under 4 KiB. */
    static void preWrite(Path p, int blockSize, long seed) throws IOException {
        if (blockSize >= 4096) {
            Vhds.write(p, 512, rnd(seed, 1024));
        } else {
            Vhds.write(p, 0, rnd(seed, blockSize));
        }
    }

    /** 8 blocks, block 0 allocated (see preWrite). */
    private Path dynamic(String name, int blockSize) throws IOException {
        Path p = Files.createDirectories(dir.resolve(name)).resolve("d.vhd");
        VhdCreator.dynamic(p, 8L * blockSize, blockSize);
        preWrite(p, blockSize, 1);
        return p;
    }

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {512, 4096, 2 << 20})
    void dynamicFirstWriteIntoAnUnallocatedBlock(int bs) throws IOException {
        Path p = dynamic("new" + bs, bs);
        int len = Math.min(bs, 3 * 512);
        int total = crashEverywhere("dynamic new block bs=" + bs, p, write(2L * bs + (bs - len), rnd(2, len)));
        assertTrue(total >= 4, "footer, data, bitmap, BAT: " + total);
    }

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {512, 4096, 2 << 20})
    void dynamicWriteSpanningAnAllocatedAndANewBlock(int bs) throws IOException {
        Path p = dynamic("span" + bs, bs);
        crashEverywhere("dynamic allocated+new bs=" + bs, p, write(bs - 512, rnd(3, 1024)));
    }

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {512, 4096, 2 << 20})
    void dynamicWriteSpanningTwoNewBlocks(int bs) throws IOException {
        Path p = dynamic("span2" + bs, bs);
        crashEverywhere("dynamic two new blocks bs=" + bs, p, write(2L * bs - 512, rnd(4, 1024)));
    }

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {4096, 2 << 20})
    void dynamicNewBitsInAnAllocatedBlock(int bs) throws IOException {
        Path p = dynamic("bits" + bs, bs);
        // sectors 0..3 of block 0: 1..2 present already, 0 and 3 get their bits now
        crashEverywhere("dynamic new bits bs=" + bs, p, write(0, rnd(5, 4 * 512)));
    }

    // ------------------------------------------------------------------------------------------------
    // differencing

    /** A parent full of data and a child with block 0 allocated (see preWrite). */
    private Path child(String name, int blockSize, boolean fixedParent) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Path parent = d.resolve("parent.vhd");
        long size = 8L * blockSize;
        if (fixedParent) {
            VhdCreator.fixed(parent, size);
        } else {
            VhdCreator.dynamic(parent, size, blockSize);
        }
        Vhds.write(parent, 0, rnd(10, (int) size));
        Path c = d.resolve("child.vhd");
        VhdCreator.differencing(c, parent);
        preWrite(c, blockSize, 11);
        return c;
    }

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {512, 4096, 2 << 20})
    void differencingFirstWriteIntoAnUnallocatedBlock(int bs) throws IOException {
        Path c = child("dnew" + bs, bs, false);
        int len = Math.min(bs, 3 * 512);
        crashEverywhere("differencing new block bs=" + bs, c, write(2L * bs + 512 % bs, rnd(12, len)));
    }

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {512, 4096, 2 << 20})
    void differencingWriteSpanningTwoBlocks(int bs) throws IOException {
        Path c = child("dspan" + bs, bs, false);
        crashEverywhere("differencing allocated+new bs=" + bs, c, write(bs - 512, rnd(13, 1024)));
        Path c2 = child("dspan2" + bs, bs, false);
        crashEverywhere("differencing two new bs=" + bs, c2, write(3L * bs - 512, rnd(14, 1024)));
    }

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {4096, 2 << 20})
    void differencingNewBitsInAnAllocatedBlock(int bs) throws IOException {
        Path c = child("dbits" + bs, bs, false);
        crashEverywhere("differencing new bits bs=" + bs, c, write(0, rnd(15, 4 * 512)));
    }

    @Test
    void differencingOnAFixedParent() throws IOException {
        Path c = child("dfixed", 2 << 20, true); // the child takes the default 2 MiB blocks
        crashEverywhere("differencing on fixed, new bits", c, write(1024, rnd(16, 2048)));
    }

    @Test
    void differencingZeroMasksTheParentAcrossBlocks() throws IOException {
        Path c = child("dzero", 4096, false);
        crashEverywhere("differencing zero", c, zero(4096 - 1024, 4096 + 2048));
    }

    @Test
    void manyAllocationsInOneWrite() throws IOException {
        Path c = child("dmany", 512, false);
        crashEverywhere("differencing 6 new 512-byte blocks", c, write(1024, rnd(17, 3 * 512)));
        Path p = dynamic("many", 512);
        crashEverywhere("dynamic 3 new 512-byte blocks", p, write(1536, rnd(18, 3 * 512)));
    }

    // ------------------------------------------------------------------------------------------------
    // batmap

    private Path batmapped(String name) throws IOException {
        Path p = Files.createDirectories(dir.resolve(name)).resolve("b.vhd");
        VhdCreator.dynamic(p, 8 * 4096, 4096);
        Batmaps.addBatmap(p);
        Vhds.write(p, 4096 + 512, rnd(20, 1024)); // block 1 partial
        assertTrue(check(p).clean());
        return p;
    }

    @Test
    void batmapWholeBlockIntoAnUnallocatedBlock() throws IOException {
        Path p = batmapped("bnew");
        crashEverywhere("batmap new full block", p, write(3 * 4096, rnd(21, 4096)));
        assertTrue(VhdBytes.of(p).batmapBit(3));
        assertTrue(VhdBytes.of(p).batmapChecksumValid());
    }

    @Test
    void batmapFillingAnAllocatedBlock() throws IOException {
        Path p = batmapped("bfill");
        crashEverywhere("batmap block becomes full", p, write(4096, rnd(22, 4096)));
        assertTrue(VhdBytes.of(p).batmapBit(1));
        assertTrue(VhdBytes.of(p).batmapChecksumValid());
    }

    @Test
    void batmapWriteSpanningAFullAndAPartialBlock() throws IOException {
        Path p = batmapped("bspan");
        crashEverywhere("batmap full + partial", p, write(4 * 4096, rnd(23, 4096 + 1024)));
        assertTrue(VhdBytes.of(p).batmapBit(4));
        assertFalse(VhdBytes.of(p).batmapBit(5));
    }

    // ------------------------------------------------------------------------------------------------
    // the harness itself: wrong writers must be caught

    /** Allocates block 3 the wrong way round: BAT entry first, then bitmap, data and the moved footer. */
    @Test
    void harnessCatchesABatEntryWrittenBeforeItsBlock() throws IOException {
        Path p = dynamic("wrong-order", 4096);
        Op wrong = img -> {
            var f = img.file();
            long start = f.size() - 512;
            byte[] footer = f.read(start, 512);
            int table = VhdBytes.of(p).table();
            byte[] entry = new byte[4];
            new VhdBytes(entry).put32(0, start / 512);
            f.write(table + 4L * 3, entry);
            byte[] bitmap = new byte[512];
            bitmap[0] = (byte) 0xFF;
            f.write(start, bitmap);
            f.write(start + 512, rnd(40, 4096));
            f.write(start + 512 + 4096, footer);
        };
        AssertionError e = assertThrows(AssertionError.class, () -> crashEverywhere("wrong order", p, wrong));
        assertTrue(e.getMessage().contains("crash after 1 of 4"), e::getMessage);
    }

    /** Writes a present sector in two halves: a crash between them leaves a torn sector. */
    @Test
    void harnessCatchesATornSector() throws IOException {
        Path p = dynamic("torn", 4096);
        Op torn = img -> {
            img.write(512, ByteBuffer.wrap(rnd(41, 512))); // sector 1, present: one in-place write
            long dataAt = VhdBytes.of(p).dataAt(0) + 1024; // sector 2, present: two half writes
            byte[] half = rnd(42, 256);
            img.file().write(dataAt, half);
            img.file().write(dataAt + 256, half);
        };
        AssertionError e = assertThrows(AssertionError.class, () -> crashEverywhere("torn", p, torn));
        assertTrue(e.getMessage().contains("sector 2 is neither old nor new"), e::getMessage);
    }

    // ------------------------------------------------------------------------------------------------
    // the batmap stays true under normal writes too (fact sheet: writers must keep it true)

    @Test
    void writersKeepTheBatmapTrue() throws IOException {
        Path p = batmapped("btrue");
        List<String> steps = new ArrayList<>();
        Vhds.write(p, 2 * 4096 + 512, rnd(30, 512)); // partial new block
        steps.add("partial");
        assertFalse(VhdBytes.of(p).batmapBit(2), "a partial write leaves the bit clear");
        Vhds.write(p, 2 * 4096, rnd(31, 512));
        Vhds.write(p, 2 * 4096 + 1024, rnd(32, 4096 - 1024)); // now every sector of block 2 is present
        steps.add("filled");
        VhdBytes v = VhdBytes.of(p);
        assertTrue(v.batmapBit(2), "filling the last sectors sets the bit");
        assertTrue(v.batmapChecksumValid());
        try (VhdImage img = VhdImage.open(p, OpenOptions.WRITE)) {
            img.zero(6 * 4096, 4096); // zero in a dynamic disk on an unallocated block: nothing to allocate
        }
        assertFalse(VhdBytes.of(p).batmapBit(6));
        Vhds.write(p, 7 * 4096, rnd(33, 4096));
        v = VhdBytes.of(p);
        assertTrue(v.batmapBit(7));
        assertFalse(v.batmapBit(1) || v.batmapBit(0) || v.batmapBit(3), "untouched blocks stay clear");
        assertTrue(v.batmapChecksumValid());
        assertTrue(check(p).clean(), steps::toString);
    }
}
