package io.vhdstream.vhd.robust;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.check.CheckReport;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.ImageStructure;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.repair.VhdRepairer;
import io.vhdstream.vhd.testkit.Batmaps;
import io.vhdstream.vhd.testkit.VhdBytes;
import io.vhdstream.vhd.testkit.Vhds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import static io.vhdstream.vhd.testkit.VhdBytes.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * One test per item of the fact sheet's validation list: build a valid image with the engine, check it is
 * clean, corrupt exactly one field here (offsets written out per field), and assert the engine reports the
 * item's {@link ProblemCode} in the structure walk and in {@code check}; fatal items must also make
 * {@code VhdImage.open} (or {@code VhdChain.open} for chain items) throw that code, non-fatal ones must
 * still read the original content.
 */
class ValidationListTest {
    static final int BLOCK = 64 * 1024;
    static final int SIZE = 4 * BLOCK;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------------------------
    // images

    /** 256 KiB dynamic, 64 KiB blocks: block 0 holds sectors 1..3, block 2 is written whole. */
    private Path dynamic(String name) throws IOException {
        Path p = dir.resolve(name);
        VhdCreator.dynamic(p, SIZE, BLOCK);
        Random r = new Random(name.hashCode());
        Vhds.write(p, 512, Vhds.random(r, 3 * 512));
        Vhds.write(p, 2L * BLOCK, Vhds.random(r, BLOCK));
        assertClean(p);
        return p;
    }

    private Path fixed(String name) throws IOException {
        Path p = dir.resolve(name);
        VhdCreator.fixed(p, SIZE);
        Vhds.write(p, 4096, Vhds.random(new Random(7), 8192));
        assertClean(p);
        return p;
    }

    /** parent.vhd (dynamic, data in block 0) and child.vhd (differencing, data in blocks 0 and 1). */
    private Path child(Path in) throws IOException {
        Files.createDirectories(in);
        Path parent = in.resolve("parent.vhd");
        VhdCreator.dynamic(parent, SIZE, BLOCK);
        Random r = new Random(3);
        Vhds.write(parent, 0, Vhds.random(r, 8192));
        Path child = in.resolve("child.vhd");
        VhdCreator.differencing(child, parent);
        Vhds.write(child, 4096, Vhds.random(r, 512));
        Vhds.write(child, BLOCK + 1024, Vhds.random(r, 4096));
        assertClean(child);
        return child;
    }

    /** A dynamic blktap image with a batmap: block 0 whole (its bit set by the engine), block 1 partial. */
    private Path batmapped(String name) throws IOException {
        Path p = dir.resolve(name);
        VhdCreator.dynamic(p, SIZE, BLOCK);
        Batmaps.addBatmap(p);
        Random r = new Random(11);
        Vhds.write(p, 0, Vhds.random(r, BLOCK));
        Vhds.write(p, BLOCK + 512, Vhds.random(r, 512));
        VhdBytes v = VhdBytes.of(p);
        assertTrue(v.batmapBit(0), "the engine sets the bit of a block it wrote whole");
        assertFalse(v.batmapBit(1));
        assertClean(p);
        return p;
    }

    // ------------------------------------------------------------------------------------------------
    // assertions

    private static CheckReport check(Path p) throws IOException {
        return VhdChecker.check(p, ChainOptions.forImage(p));
    }

    private static void assertClean(Path p) throws IOException {
        CheckReport r = check(p);
        assertTrue(r.clean(), () -> p + " should check clean before the corruption: " + r.problems());
    }

    private static List<Problem> withCode(List<Problem> ps, ProblemCode code) {
        return ps.stream().filter(x -> x.code() == code).toList();
    }

    /** Reported by the walk (fatal) and by check, and open refuses with that code. */
    private static void assertFatal(Path p, ProblemCode code) throws IOException {
        ImageStructure s = Vhds.structure(p, true);
        List<Problem> found = withCode(s.problems(), code);
        assertFalse(found.isEmpty(), () -> "expected " + code + " in " + s.problems());
        assertTrue(found.stream().anyMatch(Problem::fatal), () -> code + " should be fatal: " + found);
        assertTrue(check(p).has(code), () -> "check should report " + code);
        VhdException e = assertThrows(VhdException.class, () -> VhdImage.open(p, OpenOptions.READ).close());
        assertEquals(code, e.code(), e::getMessage);
    }

    /** Reported by the walk (not fatal) and by check, open works and the disk reads as before. */
    private static ImageStructure assertReportedNotFatal(Path p, ProblemCode code, byte[] content) throws IOException {
        ImageStructure s = Vhds.structure(p, true);
        List<Problem> found = withCode(s.problems(), code);
        assertFalse(found.isEmpty(), () -> "expected " + code + " in " + s.problems());
        assertTrue(found.stream().noneMatch(Problem::fatal), () -> code + " should not be fatal: " + found);
        assertFalse(s.fatal(), () -> "no fatal problem expected: " + s.problems());
        assertTrue(check(p).has(code), () -> "check should report " + code);
        assertArrayEquals(content, Vhds.readChain(p), "the disk must read as before");
        return s;
    }

    private static void assertWriteRefused(Path p, ProblemCode code) {
        VhdException e = assertThrows(VhdException.class, () -> VhdImage.open(p, OpenOptions.WRITE).close());
        if (code != null) {
            assertEquals(code, e.code(), e::getMessage);
        }
    }

    private static void assertChainFails(Path top, ChainOptions o, ProblemCode code) throws IOException {
        VhdException e = assertThrows(VhdException.class, () -> VhdChain.open(top, o, false).close());
        assertEquals(code, e.code(), e::getMessage);
        CheckReport r = VhdChecker.check(top, o);
        assertTrue(r.has(code), () -> "check should report " + code + ": " + r.problems());
    }

    // ------------------------------------------------------------------------------------------------
    // footer

    @Test
    void footerCookieOfFixedDiskIsFatal() throws IOException {
        Path p = fixed("f.vhd");
        VhdBytes v = VhdBytes.of(p);
        v.put8(v.endFooter() + F_COOKIE + 7, 'y').save(p); // end footer 0..7: "conectix" -> "conectiy"
        assertFatal(p, ProblemCode.FOOTER_COOKIE);
    }

    @Test
    void footerCookieOfDynamicDiskFallsBackToTheCopy() throws IOException {
        Path p = dynamic("d.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.put8(v.endFooter() + F_COOKIE, 'C').save(p); // end footer 0: 'c' -> 'C'; copy at 0 intact
        ImageStructure s = assertReportedNotFatal(p, ProblemCode.FOOTER_COOKIE, content);
        assertTrue(s.footerFromCopy());
        assertWriteRefused(p, null); // writing would have to trust a footer position it cannot see
        assertFalse(VhdRepairer.repair(p).isEmpty());
        assertClean(p);
        assertArrayEquals(content, Vhds.readChain(p));
    }

    @Test
    void footerCookieInBothCopiesIsFatal() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes v = VhdBytes.of(p);
        v.put8(v.endFooter() + F_COOKIE, 'C').put8(F_COOKIE, 'C').save(p); // both copies, offset 0
        assertFatal(p, ProblemCode.FOOTER_COOKIE);
    }

    @Test
    void footerChecksumOfFixedDiskIsFatalWhenStrict() throws IOException {
        Path p = fixed("f.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.put32(v.endFooter() + F_CHECKSUM, v.u32(v.endFooter() + F_CHECKSUM) ^ 1).save(p); // 64..67 checksum
        assertFatal(p, ProblemCode.FOOTER_CHECKSUM);
        try (VhdImage img = VhdImage.open(p, OpenOptions.LENIENT_READ)) {
            assertEquals(SIZE, img.virtualSize());
        }
        assertArrayEquals(content, Vhds.readChain(p, ChainOptions.forImage(p).lenient()));
    }

    @Test
    void footerChecksumOfDynamicEndFooterIsRepairedFromTheCopy() throws IOException {
        Path p = dynamic("d.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.put8(v.endFooter() + F_ORIGINAL_SIZE + 7, 0x55).save(p); // 40..47 original size, checksum not fixed
        ImageStructure s = assertReportedNotFatal(p, ProblemCode.FOOTER_CHECKSUM, content);
        assertTrue(s.footerFromCopy());
        assertWriteRefused(p, ProblemCode.FOOTER_CHECKSUM);
        assertFalse(VhdRepairer.repair(p).isEmpty());
        assertClean(p);
        assertArrayEquals(content, Vhds.readChain(p));
    }

    @Test
    void footerChecksumInBothCopiesIsFatal() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes v = VhdBytes.of(p);
        v.put8(v.endFooter() + F_ORIGINAL_SIZE + 7, 0x55).put8(F_ORIGINAL_SIZE + 7, 0x55).save(p);
        assertFatal(p, ProblemCode.FOOTER_CHECKSUM);
    }

    @Test
    void footerFeaturesWithoutTheAlwaysSetBit() throws IOException {
        Path p = dynamic("d.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes.of(p).footer32(F_FEATURES, 0).save(p); // 8..11 features: 0x2 -> 0
        assertReportedNotFatal(p, ProblemCode.FOOTER_FEATURES, content);
    }

    @Test
    void footerVersionNotOnePointZero() throws IOException {
        Path p = dynamic("d.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes.of(p).footer32(F_VERSION, 0x0002_0000).save(p); // 12..15 format version
        assertReportedNotFatal(p, ProblemCode.FOOTER_VERSION, content);
    }

    @Test
    void footerDiskTypeUnknown() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes.of(p).footer32(F_DISK_TYPE, 5).save(p); // 60..63 disk type: 3 -> 5
        assertFatal(p, ProblemCode.FOOTER_DISK_TYPE);
        Path f = fixed("f.vhd");
        VhdBytes.of(f).footer32(F_DISK_TYPE, 1).save(f); // 1 is "deprecated", not a type we read
        assertFatal(f, ProblemCode.FOOTER_DISK_TYPE);
    }

    @Test
    void footerDataOffsetOfFixedDiskNotAllOnes() throws IOException {
        Path p = fixed("f.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes.of(p).footer64(F_DATA_OFFSET, 0).save(p); // 16..23 data offset: all ones -> 0
        assertReportedNotFatal(p, ProblemCode.FOOTER_DATA_OFFSET, content);
    }

    @Test
    void footerDataOffsetOfDynamicDiskOutsideTheFile() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes v = VhdBytes.of(p);
        v.footer64(F_DATA_OFFSET, v.length()).save(p); // 16..23: header "at" the end of the file
        assertFatal(p, ProblemCode.FOOTER_DATA_OFFSET);
        VhdBytes.of(p).footer64(F_DATA_OFFSET, 0).save(p); // header on top of the footer copy
        assertFatal(p, ProblemCode.FOOTER_DATA_OFFSET);
        VhdBytes.of(p).footer64(F_DATA_OFFSET, -1L).save(p); // the fixed-disk value in a dynamic disk
        assertFatal(p, ProblemCode.FOOTER_DATA_OFFSET);
    }

    @Test
    void footerTimestampInTheFuture() throws IOException {
        Path p = dynamic("d.vhd");
        byte[] content = Vhds.readChain(p);
        long future = Instant.now().plusSeconds(30L * 86_400).getEpochSecond() - 946_684_800L;
        VhdBytes.of(p).footer32(F_TIMESTAMP, future).save(p); // 24..27 seconds since 2000-01-01
        assertReportedNotFatal(p, ProblemCode.FOOTER_TIMESTAMP_FUTURE, content);
    }

    @Test
    void footerSavedStateNeitherZeroNorOne() throws IOException {
        Path p = dynamic("d.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes.of(p).footer8(F_SAVED_STATE, 2).save(p); // 84 saved state
        assertReportedNotFatal(p, ProblemCode.FOOTER_SAVED_STATE, content);
    }

    @Test
    void footerUniqueIdNull() throws IOException {
        Path p = dynamic("d.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.footerEdit(at -> { // 68..83 unique id -> zeros, both copies
            for (int i = 0; i < 16; i++) {
                v.put8(at + F_UNIQUE_ID + i, 0);
            }
        });
        v.save(p);
        assertReportedNotFatal(p, ProblemCode.FOOTER_UNIQUE_ID_NULL, content);
    }

    @Test
    void footerCopyDiffersFromTheEndFooter() throws IOException {
        Path p = dynamic("d.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.put64(F_ORIGINAL_SIZE, 12345 * 512L).fixFooterAt(0).save(p); // copy only: 40..47 original size, checksum fixed
        ImageStructure s = assertReportedNotFatal(p, ProblemCode.FOOTER_COPY_MISMATCH, content);
        assertEquals(0, withCode(s.problems(), ProblemCode.FOOTER_COPY_MISMATCH).get(0).offset());
        assertFalse(VhdRepairer.repair(p).isEmpty());
        assertClean(p);
    }

    @Test
    void footerSizeNotWholeSectors() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes.of(p).footer64(F_CURRENT_SIZE, SIZE - 1).save(p); // 48..55 current size
        assertFatal(p, ProblemCode.FOOTER_SIZE);
    }

    @Test
    void fixedDiskShorterThanItsSize() throws IOException {
        Path p = fixed("f.vhd");
        VhdBytes.of(p).footer64(F_CURRENT_SIZE, SIZE + 512).save(p); // claims one sector more than the file has
        assertFatal(p, ProblemCode.FIXED_SIZE_MISMATCH);
    }

    @Test
    void fileTooSmallForAFooter() throws IOException {
        Path p = dir.resolve("tiny.vhd");
        Files.write(p, new byte[511]);
        assertFatal(p, ProblemCode.FILE_TOO_SMALL);
    }

    // ------------------------------------------------------------------------------------------------
    // dynamic header

    @Test
    void headerCookie() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes v = VhdBytes.of(p);
        v.putAscii(v.header() + H_COOKIE, "cxsparsf").fixHeader().save(p); // header 0..7
        assertFatal(p, ProblemCode.HEADER_COOKIE);
    }

    @Test
    void headerChecksumIsFatalWhenStrictOnly() throws IOException {
        Path p = dynamic("d.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.put8(v.header() + H_RESERVED2 + 10, 1).save(p); // a reserved byte at 778, checksum (36..39) not fixed
        assertFatal(p, ProblemCode.HEADER_CHECKSUM);
        assertArrayEquals(content, Vhds.readChain(p, ChainOptions.forImage(p).lenient()));
        assertFalse(VhdRepairer.repair(p).isEmpty());
        assertClean(p);
    }

    @Test
    void headerVersion() throws IOException {
        Path p = dynamic("d.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes.of(p).header32(H_VERSION, 0x0001_0001).save(p); // header 24..27
        assertReportedNotFatal(p, ProblemCode.HEADER_VERSION, content);
    }

    @Test
    void headerDataOffsetNotAllOnes() throws IOException {
        Path p = dynamic("d.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes.of(p).header64(H_DATA_OFFSET, 0).save(p); // header 8..15
        assertReportedNotFatal(p, ProblemCode.HEADER_DATA_OFFSET, content);
    }

    @Test
    void headerTableOffsetNotSectorAligned() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes v = VhdBytes.of(p);
        v.header64(H_TABLE_OFFSET, v.table() + 4).save(p); // header 16..23
        assertFatal(p, ProblemCode.HEADER_TABLE_OFFSET);
    }

    @Test
    void batOutsideTheFile() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes v = VhdBytes.of(p);
        v.header64(H_TABLE_OFFSET, v.length()).save(p); // header 16..23: past the end
        assertFatal(p, ProblemCode.BAT_OUTSIDE_FILE);
        VhdBytes.of(p).header64(H_TABLE_OFFSET, 0).save(p); // on top of the footer copy
        assertFatal(p, ProblemCode.BAT_OUTSIDE_FILE);
        VhdBytes w = VhdBytes.of(p);
        w.header64(H_TABLE_OFFSET, w.endFooter() - 512L).header32(H_MAX_ENTRIES, 1L << 20).save(p); // BAT runs past the end
        assertTrue(Vhds.problems(p).stream().anyMatch(x -> x.code() == ProblemCode.BAT_OUTSIDE_FILE));
        assertThrows(VhdException.class, () -> VhdImage.open(p, OpenOptions.READ).close());
    }

    @Test
    void headerBlockSizeNotAPowerOfTwo() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes.of(p).header32(H_BLOCK_SIZE, 3 * 512).save(p); // header 32..35
        assertFatal(p, ProblemCode.HEADER_BLOCK_SIZE);
        VhdBytes.of(p).header32(H_BLOCK_SIZE, 0).save(p);
        assertFatal(p, ProblemCode.HEADER_BLOCK_SIZE);
        VhdBytes.of(p).header32(H_BLOCK_SIZE, 256).save(p); // a power of two, but under a sector
        assertFatal(p, ProblemCode.HEADER_BLOCK_SIZE);
    }

    @Test
    void headerMaxTableEntriesTooFewForTheSize() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes.of(p).header32(H_MAX_ENTRIES, SIZE / BLOCK - 1).save(p); // header 28..31: 4 -> 3
        assertFatal(p, ProblemCode.HEADER_MAX_TABLE_ENTRIES);
    }

    // ------------------------------------------------------------------------------------------------
    // BAT

    @Test
    void batBlockInsideMetadata() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes v = VhdBytes.of(p);
        v.setBatEntry(1, 1).save(p); // BAT entry 1 -> sector 1: the dynamic header
        assertFatal(p, ProblemCode.BAT_BLOCK_IN_METADATA);
    }

    @Test
    void batBlockInsideALocatorOrTheBatmap() throws IOException {
        Path c = child(dir.resolve("c"));
        VhdBytes v = VhdBytes.of(c);
        v.setBatEntry(3, v.u64(v.locator(1) + L_OFFSET) / 512).save(c); // block 3 on top of the W2ku data
        assertFatal(c, ProblemCode.BAT_BLOCK_IN_METADATA);
        Path b = batmapped("b.vhd");
        VhdBytes w = VhdBytes.of(b);
        w.setBatEntry(3, w.batmapMap() / 512).save(b); // block 3 on top of the batmap's map
        assertFatal(b, ProblemCode.BAT_BLOCK_IN_METADATA);
    }

    @Test
    void batBlockPastTheEndFooter() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes v = VhdBytes.of(p);
        v.setBatEntry(1, v.endFooter() / 512).save(p); // the block would start at the end footer
        assertFatal(p, ProblemCode.BAT_BLOCK_PAST_END);
        VhdBytes.of(p).setBatEntry(1, 0xFFFF_FFFEL).save(p); // the largest sector a BAT entry can name
        assertFatal(p, ProblemCode.BAT_BLOCK_PAST_END);
    }

    @Test
    void batBlocksOverlap() throws IOException {
        Path p = dynamic("d.vhd");
        VhdBytes v = VhdBytes.of(p);
        v.setBatEntry(1, v.batEntry(0)).save(p); // BAT entry 1 = entry 0: both blocks share a place
        assertFatal(p, ProblemCode.BAT_OVERLAP);
        VhdBytes w = VhdBytes.of(p);
        w.setBatEntry(1, w.batEntry(0) + 1).save(p); // block 1 starts one sector into block 0
        assertFatal(p, ProblemCode.BAT_OVERLAP);
    }

    // ------------------------------------------------------------------------------------------------
    // locators and the chain

    @Test
    void locatorPlatformCodeUnknown() throws IOException {
        Path c = child(dir.resolve("c"));
        byte[] content = Vhds.readChain(c);
        VhdBytes v = VhdBytes.of(c);
        assertEquals(W2KU, (int) v.u32(v.locator(1) + L_CODE));
        v.locatorField32(1, L_CODE, 0x58787878).save(c); // locator 1, 0..3: W2ku -> "Xxxx"
        assertReportedNotFatal(c, ProblemCode.LOCATOR_PLATFORM_CODE, content);
    }

    @Test
    void locatorDataOutsideTheFile() throws IOException {
        Path c = child(dir.resolve("c"));
        byte[] content = Vhds.readChain(c); // W2ku still finds the parent
        VhdBytes v = VhdBytes.of(c);
        v.locatorField64(0, L_OFFSET, v.length() + 4096L).save(c); // locator 0 (W2ru), 16..23 data offset
        assertReportedNotFatal(c, ProblemCode.LOCATOR_OUTSIDE_FILE, content);
        assertWriteRefused(c, ProblemCode.LOCATOR_OUTSIDE_FILE);
        VhdBytes.of(c).locatorField32(0, L_LENGTH, 0xFFFF_FFF0L).save(c); // and a length no file holds
        assertTrue(Vhds.problems(c).stream().anyMatch(x -> x.code() == ProblemCode.LOCATOR_OUTSIDE_FILE));
    }

    @Test
    void locatorDataOverlapsOtherMetadata() throws IOException {
        Path c = child(dir.resolve("c"));
        byte[] content = Vhds.readChain(c);
        VhdBytes v = VhdBytes.of(c);
        v.locatorField64(1, L_OFFSET, v.table()).save(c); // locator 1 (W2ku) data on top of the BAT
        assertReportedNotFatal(c, ProblemCode.LOCATOR_OVERLAP, content);
        assertWriteRefused(c, ProblemCode.LOCATOR_OVERLAP);
    }

    @Test
    void locatorDuplicateCode() throws IOException {
        Path c = child(dir.resolve("c"));
        byte[] content = Vhds.readChain(c);
        VhdBytes.of(c).locatorField32(1, L_CODE, W2RU).save(c); // locator 1 W2ku -> a second W2ru
        assertReportedNotFatal(c, ProblemCode.LOCATOR_DUPLICATE, content);
    }

    @Test
    void parentNameDiffersFromTheLocators() throws IOException {
        Path c = child(dir.resolve("c"));
        byte[] content = Vhds.readChain(c);
        VhdBytes.of(c).setParentName("other.vhd").save(c); // header 64..575 parent unicode name
        assertReportedNotFatal(c, ProblemCode.PARENT_NAME_MISMATCH, content);
    }

    @Test
    void parentNotFound() throws IOException {
        Path c = child(dir.resolve("c"));
        Files.delete(c.resolveSibling("parent.vhd"));
        assertFalse(Vhds.structure(c, true).fatal(), "the child alone is sound");
        assertChainFails(c, ChainOptions.forImage(c), ProblemCode.PARENT_NOT_FOUND);
    }

    @Test
    void parentIdMismatch() throws IOException {
        Path c = child(dir.resolve("c"));
        Path parent = c.resolveSibling("parent.vhd");
        Files.delete(parent);
        VhdCreator.dynamic(parent, SIZE, BLOCK); // same name and size, new unique id
        assertChainFails(c, ChainOptions.forImage(c), ProblemCode.PARENT_ID_MISMATCH);
    }

    @Test
    void parentTimestampMismatchIsAWarning() throws IOException {
        Path c = child(dir.resolve("c"));
        byte[] content = Vhds.readChain(c);
        VhdBytes v = VhdBytes.of(c);
        v.header32(H_PARENT_TIMESTAMP, v.u32(v.header() + H_PARENT_TIMESTAMP) - 1).save(c); // header 56..59
        assertTrue(check(c).has(ProblemCode.PARENT_TIMESTAMP_MISMATCH));
        assertArrayEquals(content, Vhds.readChain(c));
    }

    @Test
    void parentOutsideTheRootThroughDotDot() throws IOException {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Path parent = etc.resolve("x.vhd");
        VhdCreator.dynamic(parent, SIZE, BLOCK);
        Path deep = Files.createDirectories(dir.resolve("a/b/c"));
        Path c = deep.resolve("child.vhd");
        VhdCreator.differencing(c, parent);
        VhdBytes v = VhdBytes.of(c);
        v.setLocatorPath(0, "..\\..\\..\\etc\\x.vhd"); // W2ru: three levels up, out of a/b/c
        v.locatorField32(1, L_CODE, 0).save(c); // W2ku removed: only the relative escape is left
        assertEquals("..\\..\\..\\etc\\x.vhd", VhdBytes.of(c).locatorPath(0));
        assertChainFails(c, ChainOptions.forImage(c), ProblemCode.PARENT_OUTSIDE_ROOT);
        // the same chain opens once the parent's directory is an allowed root
        try (VhdChain chain = VhdChain.open(c, ChainOptions.forImage(c, List.of(etc)), false)) {
            assertEquals(2, chain.layers().size());
        }
    }

    @Test
    void parentOutsideTheRootThroughSymlinks() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path root = Files.createDirectories(dir.resolve("root"));
        Path parent = outside.resolve("p.vhd");
        VhdCreator.dynamic(parent, SIZE, BLOCK);
        Path link = Files.createSymbolicLink(root.resolve("p.vhd"), parent); // root/p.vhd -> outside/p.vhd
        Path c = root.resolve("child.vhd");
        VhdCreator.differencing(c, link);
        assertTrue(VhdBytes.of(c).locatorPath(1).endsWith("root/p.vhd"), "locators name the link, not its target");
        assertChainFails(c, ChainOptions.forImage(c), ProblemCode.PARENT_OUTSIDE_ROOT);

        // a symlinked directory escapes the same way: root/sub -> outside, locator .\sub\p.vhd
        Files.createSymbolicLink(root.resolve("sub"), outside);
        Path c2 = root.resolve("child2.vhd");
        VhdCreator.differencing(c2, root.resolve("sub/p.vhd"));
        assertEquals(".\\sub\\p.vhd", VhdBytes.of(c2).locatorPath(0));
        assertChainFails(c2, ChainOptions.forImage(c2), ProblemCode.PARENT_OUTSIDE_ROOT);
    }

    @Test
    void chainCycleBetweenTwoDifferencingFiles() throws IOException {
        Path base = dir.resolve("base.vhd");
        VhdCreator.dynamic(base, SIZE, BLOCK);
        Path a = dir.resolve("a.vhd");
        VhdCreator.differencing(a, base);
        Path b = dir.resolve("b.vhd");
        VhdCreator.differencing(b, a);
        assertClean(b);
        // a's parent becomes b: parent id (header 40..55) = b's unique id, W2ru -> .\b.vhd, W2ku removed, name b.vhd
        VhdBytes va = VhdBytes.of(a);
        va.setParentId(VhdBytes.of(b).uniqueId()).setLocatorPath(0, ".\\b.vhd");
        va.locatorField32(1, L_CODE, 0).setParentName("b.vhd").save(a);
        assertFalse(Vhds.structure(a, true).fatal());
        assertChainFails(b, ChainOptions.forImage(b), ProblemCode.CHAIN_CYCLE);
        assertChainFails(a, ChainOptions.forImage(a), ProblemCode.CHAIN_CYCLE);
    }

    @Test
    void chainCycleOfAnImageThatIsItsOwnParent() throws IOException {
        Path base = dir.resolve("base.vhd");
        VhdCreator.dynamic(base, SIZE, BLOCK);
        Path a = dir.resolve("a.vhd");
        VhdCreator.differencing(a, base);
        VhdBytes va = VhdBytes.of(a);
        va.setParentId(va.uniqueId()).setLocatorPath(0, ".\\a.vhd");
        va.locatorField32(1, L_CODE, 0).setParentName("a.vhd").save(a);
        assertChainFails(a, ChainOptions.forImage(a), ProblemCode.CHAIN_CYCLE);
    }

    @Test
    void chainTooDeep() throws IOException {
        Path top = dir.resolve("l0.vhd");
        VhdCreator.dynamic(top, SIZE, BLOCK);
        for (int i = 1; i <= 3; i++) {
            Path next = dir.resolve("l" + i + ".vhd");
            VhdCreator.differencing(next, top);
            top = next;
        }
        // four layers: a limit of four opens, a limit of three does not
        try (VhdChain c = VhdChain.open(top, ChainOptions.forImage(top).withMaxDepth(4), false)) {
            assertEquals(4, c.layers().size());
        }
        assertChainFails(top, ChainOptions.forImage(top).withMaxDepth(3), ProblemCode.CHAIN_TOO_DEEP);
    }

    // ------------------------------------------------------------------------------------------------
    // batmap

    @Test
    void batmapCookie() throws IOException {
        Path p = batmapped("b.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.putAscii(v.batmap() + B_COOKIE + 3, "X").save(p); // batmap header 0..7: "tdbatmap" -> "tdbXtmap"
        assertReportedNotFatal(p, ProblemCode.BATMAP_COOKIE, content);
    }

    @Test
    void batmapVersion() throws IOException {
        Path p = batmapped("b.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.put32(v.batmap() + B_VERSION, 0x0001_0001).save(p); // batmap header 20..23: 1.2 -> 1.1
        assertReportedNotFatal(p, ProblemCode.BATMAP_VERSION, content);
    }

    @Test
    void batmapChecksum() throws IOException {
        Path p = batmapped("b.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.setBatmapBit(3, true).save(p); // a map bit flipped, checksum (header 24..27) not updated
        assertReportedNotFatal(p, ProblemCode.BATMAP_CHECKSUM, content);
        assertFalse(VhdRepairer.repair(p).isEmpty());
        assertClean(p);
        assertFalse(VhdBytes.of(p).batmapBit(3), "repair must not keep a 'full' claim for an unallocated block");
    }

    @Test
    void batmapSizeTooSmall() throws IOException {
        Path p = batmapped("b.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.put32(v.batmap() + B_SECTORS, 0).save(p); // batmap header 16..19: map of 0 sectors for 4 blocks
        assertReportedNotFatal(p, ProblemCode.BATMAP_SIZE, content);
    }

    @Test
    void batmapOutsideTheFile() throws IOException {
        Path p = batmapped("b.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        v.put64(v.batmap() + B_OFFSET, v.length()).save(p); // batmap header 8..15: map past the end
        assertReportedNotFatal(p, ProblemCode.BATMAP_OUTSIDE_FILE, content);
        assertWriteRefused(p, ProblemCode.BATMAP_OUTSIDE_FILE);
    }

    @Test
    void batmapFullBlockUnallocated() throws IOException {
        Path p = batmapped("b.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes.of(p).setBatmapBit(3, true).fixBatmap().save(p); // block 3 "full" but not allocated
        assertReportedNotFatal(p, ProblemCode.BATMAP_FULL_BLOCK_UNALLOCATED, content);
    }

    @Test
    void batmapFullBlockNotFull() throws IOException {
        Path p = batmapped("b.vhd");
        byte[] content = Vhds.readChain(p);
        VhdBytes.of(p).setBatmapBit(1, true).fixBatmap().save(p); // block 1 holds one sector, claims all
        assertFalse(Vhds.structure(p, true).fatal());
        CheckReport r = check(p);
        assertTrue(r.has(ProblemCode.BATMAP_FULL_BLOCK_NOT_FULL), r.problems()::toString);
        assertArrayEquals(content, Vhds.readChain(p));
        assertFalse(VhdRepairer.repair(p).isEmpty());
        assertClean(p);
        assertFalse(VhdBytes.of(p).batmapBit(1));
        assertTrue(VhdBytes.of(p).batmapBit(0), "repair keeps true claims");
    }
}
