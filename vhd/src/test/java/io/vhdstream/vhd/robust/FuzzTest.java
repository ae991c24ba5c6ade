package io.vhdstream.vhd.robust;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.Severity;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.check.CheckReport;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.repair.VhdRepairer;
import io.vhdstream.vhd.testkit.Batmaps;
import io.vhdstream.vhd.testkit.DiskModel;
import io.vhdstream.vhd.testkit.Layout;
import io.vhdstream.vhd.testkit.VhdBytes;
import io.vhdstream.vhd.testkit.Vhds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.vhdstream.vhd.testkit.VhdBytes.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Mutation fuzzing of valid images (dynamic with 512 B / 4 KiB / 64 KiB / 2 MiB blocks, differencing
 * chains on dynamic and fixed parents, fixed, blktap batmap): random bytes in each structure with and
 * without fixed-up checksums, interesting values in every field, truncation and extension, data-only and
 * ignored-bytes mutations. Each case opens the chain (strict or lenient), reads the disk, lists and reads
 * present extents of every layer, runs check and sometimes repair. The only acceptable failure is a
 * {@link VhdException}; any other throwable, an allocation failure or a case over its deadline fails.
 * Mutations the engine must tolerate (data sectors, bytes it ignores) must read exactly as predicted.
 *
 * <p>Cases: {@code -Dvhdstream.fuzz.cases=N} (default 4000). Master seed: {@code -Dvhdstream.fuzz.seed}.
 * Reproduce one case with {@code -Dvhdstream.fuzz.case.seed=0x...} (printed for every failure).
 */
class FuzzTest {
    static final int CASES = Integer.getInteger("vhdstream.fuzz.cases", 4000);
    static final long MASTER = parseSeed(System.getProperty("vhdstream.fuzz.seed", "0x7e5755eed"));
    static final String ONE_CASE = System.getProperty("vhdstream.fuzz.case.seed");
    static final int PROGRESS_EVERY = 10_000;
    static final long CASE_DEADLINE_MS = Long.getLong("vhdstream.fuzz.case.deadline.ms", 20_000);
    static final int FULL_READ_LIMIT = 8 << 20;
    static final int MAX_FAILURE_KINDS = 12;

    @TempDir
    static Path root;
    static final List<Sample> SAMPLES = new ArrayList<>();

    // ------------------------------------------------------------------------------------------------
    // corpus

    /** A valid image (and its parents), as pristine bytes, with the content every read must return. */
    static final class Sample {
        final String name;
        final List<Path> files = new ArrayList<>(); // top first
        final List<byte[]> pristine = new ArrayList<>();
        final List<Layout> layouts = new ArrayList<>();
        byte[] content;
        List<List<Extent>> extents;

        Sample(String name) {
            this.name = name;
        }

        Path top() {
            return files.get(0);
        }
    }

    @BeforeAll
    static void corpus() throws IOException {
        Random r = new Random(MASTER);
        // dynamic, 4 KiB blocks, size not a whole number of blocks; full, partial and block-spanning writes
        sample("dyn4k", r, d -> {
            Path p = d.resolve("top.vhd");
            VhdCreator.dynamic(p, 24 * 4096 + 1536, 4096);
            w(p, r, 0, 4096);
            w(p, r, 2 * 4096 + 1024, 2048);
            w(p, r, 5 * 4096 + 3584, 1024);
            w(p, r, 24 * 4096 + 512, 1024);
            return List.of(p);
        });
        sample("dyn512", r, d -> {
            Path p = d.resolve("top.vhd");
            VhdCreator.dynamic(p, 32 * 1024, 512);
            w(p, r, 0, 1536);
            w(p, r, 10 * 512, 4 * 512);
            w(p, r, 63 * 512, 512);
            return List.of(p);
        });
        sample("dyn64k", r, d -> {
            Path p = d.resolve("top.vhd");
            VhdCreator.dynamic(p, 5 * 65536 + 512, 65536);
            w(p, r, 512, 3 * 512);
            w(p, r, 2 * 65536, 65536);
            w(p, r, 4 * 65536 - 1024, 2048);
            w(p, r, 5 * 65536, 512);
            return List.of(p);
        });
        sample("dyn2m", r, d -> {
            Path p = d.resolve("top.vhd");
            VhdCreator.dynamic(p, (4 << 20) + 4096, 2 << 20);
            w(p, r, 4096, 4096);
            w(p, r, 4 << 20, 2048);
            return List.of(p);
        });
        sample("diff", r, d -> {
            Path parent = d.resolve("parent.vhd");
            VhdCreator.dynamic(parent, 5 * 65536, 65536);
            w(parent, r, 0, 8192);
            w(parent, r, 65536 + 4096, 16384);
            w(parent, r, 3 * 65536, 65536);
            Path top = d.resolve("top.vhd");
            VhdCreator.differencing(top, parent);
            w(top, r, 4096, 2048);
            w(top, r, 2 * 65536 + 512, 512);
            w(top, r, 3 * 65536 + 1024, 4096);
            return List.of(top, parent);
        });
        sample("diff3", r, d -> {
            Path base = d.resolve("base.vhd");
            VhdCreator.dynamic(base, 16 * 4096, 4096);
            w(base, r, 0, 16 * 4096);
            Path mid = d.resolve("mid.vhd");
            VhdCreator.differencing(mid, base);
            w(mid, r, 4096 + 512, 4096);
            Path top = d.resolve("top.vhd");
            VhdCreator.differencing(top, mid);
            w(top, r, 4096, 1024);
            w(top, r, 12 * 4096, 512);
            return List.of(top, mid, base);
        });
        sample("diffOnFixed", r, d -> {
            Path parent = d.resolve("parent.vhd");
            VhdCreator.fixed(parent, 48 * 1024);
            w(parent, r, 0, 48 * 1024);
            Path top = d.resolve("top.vhd");
            VhdCreator.differencing(top, parent);
            w(top, r, 4096, 4096);
            w(top, r, 40960, 512);
            return List.of(top, parent);
        });
        sample("fixed", r, d -> {
            Path p = d.resolve("top.vhd");
            VhdCreator.fixed(p, 64 * 1024);
            w(p, r, 0, 64 * 1024);
            return List.of(p);
        });
        sample("batmap", r, d -> {
            Path p = d.resolve("top.vhd");
            VhdCreator.dynamic(p, 12 * 4096, 4096);
            Batmaps.addBatmap(p);
            w(p, r, 0, 4096);
            w(p, r, 5 * 4096, 4096);
            w(p, r, 7 * 4096 + 512, 1024);
            return List.of(p);
        });
    }

    interface Maker {
        List<Path> make(Path dir) throws IOException;
    }

    static void w(Path p, Random r, long off, int len) throws IOException {
        Vhds.write(p, off, Vhds.random(r, len));
    }

    static void sample(String name, Random r, Maker m) throws IOException {
        Path d = Files.createDirectories(root.resolve(name));
        Sample s = new Sample(name);
        s.files.addAll(m.make(d));
        for (Path f : s.files) {
            byte[] b = Files.readAllBytes(f);
            s.pristine.add(b);
            s.layouts.add(Layout.of(new VhdBytes(b)));
        }
        CheckReport rep = VhdChecker.check(s.top(), ChainOptions.forImage(s.top()));
        assertTrue(rep.clean(), () -> name + " must check clean: " + rep.problems());
        s.content = Vhds.readChain(s.top());
        s.extents = extents(s);
        SAMPLES.add(s);
    }

    static List<List<Extent>> extents(Sample s) throws IOException {
        List<List<Extent>> out = new ArrayList<>();
        for (Path f : s.files) {
            try (VhdImage img = VhdImage.open(f, OpenOptions.READ)) {
                out.add(img.presentExtents());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------
    // mutations

    /** The mutated files, what was done, and what reads must return when the mutation is harmless. */
    static final class Mutant {
        final Sample sample;
        final byte[][] files;
        final StringBuilder what = new StringBuilder();
        /** Non-null: the chain must open and read exactly this. */
        byte[] expected;
        /** The mutation touched only bytes the engine ignores: extents unchanged, no ERROR from check. */
        boolean ignored;

        Mutant(Sample s) {
            this.sample = s;
            this.files = new byte[s.files.size()][];
            for (int i = 0; i < files.length; i++) {
                files[i] = s.pristine.get(i).clone();
            }
        }

        void note(String s) {
            what.append(what.length() == 0 ? "" : "; ").append(s);
        }
    }

    static Mutant mutate(Sample s, Random r) {
        Mutant m = new Mutant(s);
        int kind = r.nextInt(100);
        if (kind < 12) {
            dataMutation(m, r);
        } else if (kind < 24) {
            ignoredMutation(m, r);
        } else {
            int n = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
            for (int i = 0; i < n; i++) {
                int f = m.files.length > 1 && r.nextInt(10) < 3 ? 1 + r.nextInt(m.files.length - 1) : 0;
                int k = r.nextInt(100);
                if (k < 40) {
                    randomBytes(m, f, r);
                } else if (k < 85) {
                    field(m, f, r);
                } else if (k < 95) {
                    resize(m, f, r);
                } else {
                    sectorCopy(m, f, r);
                }
            }
        }
        return m;
    }

    record Region(String name, long start, long end, int checksumKind) {
        // checksumKind: 0 none, 1 footer at start, 2 header at start, 3 batmap header (at start of its sector)
    }

    static List<Region> regions(Layout l, int len) {
        List<Region> out = new ArrayList<>();
        out.add(new Region("end footer", l.endFooter, l.endFooter + 512, 1));
        if (!l.sparse) {
            out.add(new Region("data", 0, Math.min(l.size, l.endFooter), 0));
            out.removeIf(x -> x.start() < 0 || x.end() > len || x.end() <= x.start());
            return out;
        }
        out.add(new Region("footer copy", 0, 512, 1));
        out.add(new Region("header", l.header, l.header + 1024, 2));
        out.add(new Region("header fields", l.header, l.header + 40, 2));
        out.add(new Region("locator entries", l.header + H_LOCATORS, l.header + H_LOCATORS + 192, 2));
        out.add(new Region("BAT", l.table, l.table + 4L * l.entries, 0));
        for (Layout.Locator loc : l.locators) {
            out.add(new Region("locator " + loc.slot() + " data", loc.dataAt(), loc.dataAt() + Math.max(2, loc.length()), 0));
        }
        for (int b : l.allocatedBlocks()) {
            out.add(new Region("bitmap " + b, l.bitmapAt[b], l.bitmapAt[b] + Math.min(l.bitmapBytes, Math.max(1, l.sectorsPerBlock / 8)), 0));
            out.add(new Region("data " + b, l.dataAt(b), l.dataAt(b) + l.blockSize, 0));
        }
        if (l.batmapHeader >= 0) {
            out.add(new Region("batmap header", l.batmapHeader, l.batmapHeader + 32, 3));
            out.add(new Region("batmap map", l.batmapHeader + 512, l.batmapHeader + 1024, 0));
        }
        out.removeIf(x -> x.start() < 0 || x.end() > len || x.end() <= x.start());
        return out;
    }

    static void fixChecksums(VhdBytes v, Layout l, Region reg) {
        switch (reg.checksumKind()) {
            case 1 -> v.fixFooterAt((int) reg.start());
            case 2 -> v.fixHeaderAt(l.header);
            case 3 -> v.fixBatmapAt(l.batmapHeader);
            default -> {
                if (reg.name().startsWith("batmap map")) {
                    v.fixBatmapAt(l.batmapHeader);
                }
            }
        }
    }

    static void randomBytes(Mutant m, int f, Random r) {
        Layout l = m.sample.layouts.get(f);
        VhdBytes v = new VhdBytes(m.files[f]);
        List<Region> regs = regions(l, v.length());
        if (regs.isEmpty()) {
            m.note("file " + f + ": nothing left to change");
            return;
        }
        Region reg = regs.get(r.nextInt(regs.size()));
        int n = 1 + r.nextInt(r.nextBoolean() ? 2 : 8);
        for (int i = 0; i < n; i++) {
            int at = (int) (reg.start() + (long) (r.nextDouble() * (reg.end() - reg.start())));
            if (r.nextBoolean()) {
                v.b[at] ^= (byte) (1 << r.nextInt(8));
            } else {
                v.b[at] = (byte) r.nextInt(256);
            }
        }
        boolean fix = r.nextInt(10) < 7;
        if (fix) {
            fixChecksums(v, l, reg);
        }
        m.note("file " + f + ": " + n + " random bytes in " + reg.name() + (fix ? " (checksum fixed)" : ""));
    }

    static final long GIB = 1L << 30;

    static long interesting(Random r, long original, long fileLen, int width) {
        long v;
        switch (r.nextInt(12)) {
            case 0 -> v = new long[] {0, 1, 2, 3, 4, 5, 7, 8}[r.nextInt(8)];
            case 1 -> v = new long[] {511, 512, 513, 1024, 1536, 4096, 65536, 1 << 20}[r.nextInt(8)];
            case 2 -> v = new long[] {0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0xFFFF_FFFEL, 0xFFFFL, 0x1_0000L}[r.nextInt(6)];
            case 3 -> v = new long[] {fileLen, fileLen - 512, fileLen - 1024, fileLen + 512, fileLen / 512, fileLen / 512 - 1,
                fileLen / 512 + 1, fileLen - 1}[r.nextInt(8)];
            case 4 -> v = original + new long[] {1, -1, 512, -512, 4, -4, 1024, 4096}[r.nextInt(8)];
            case 5 -> v = r.nextBoolean() ? original * 2 : original / 2;
            case 6 -> v = 1L << r.nextInt(width == 8 ? 63 : 32);
            case 7 -> v = width == 8 ? new long[] {-1L, Long.MAX_VALUE, Long.MIN_VALUE, 2040 * GIB, 2040 * GIB + 512,
                4 * GIB, 1L << 40}[r.nextInt(7)] : r.nextInt(1 << 16);
            case 8 -> v = original << (1 + r.nextInt(8));
            case 9 -> v = (long) (r.nextDouble() * fileLen) & ~511L;
            case 10 -> v = (long) (r.nextDouble() * 2 * fileLen);
            default -> v = r.nextLong();
        }
        return width == 8 ? v : width == 4 ? v & 0xFFFF_FFFFL : width == 2 ? v & 0xFFFF : v & 0xFF;
    }

    record Field(String name, int at, int width, int checksumKind, int footerField) {
    }

    static List<Field> fields(Layout l) {
        List<Field> out = new ArrayList<>();
        int[][] footer = {{F_DATA_OFFSET, 8}, {F_CURRENT_SIZE, 8}, {F_DISK_TYPE, 4}, {F_FEATURES, 4}, {F_VERSION, 4},
            {F_SAVED_STATE, 1}, {F_TIMESTAMP, 4}, {F_ORIGINAL_SIZE, 8}, {F_UNIQUE_ID, 8}, {F_COOKIE, 1}};
        for (int[] f : footer) {
            out.add(new Field("footer+" + f[0], -1, f[1], 1, f[0]));
        }
        if (!l.sparse) {
            return out;
        }
        int h = l.header;
        int[][] header = {{H_TABLE_OFFSET, 8}, {H_MAX_ENTRIES, 4}, {H_BLOCK_SIZE, 4}, {H_DATA_OFFSET, 8}, {H_VERSION, 4},
            {H_PARENT_ID, 8}, {H_PARENT_TIMESTAMP, 4}, {H_PARENT_NAME, 2}, {H_PARENT_NAME + 2, 2}};
        for (int[] f : header) {
            out.add(new Field("header+" + f[0], h + f[0], f[1], 2, -1));
        }
        for (int slot = 0; slot < 8; slot++) {
            int e = h + H_LOCATORS + 24 * slot;
            int thisSlot = slot;
            boolean used = l.locators.stream().anyMatch(x -> x.slot() == thisSlot);
            if (!used && slot > 2) {
                continue;
            }
            out.add(new Field("locator " + slot + " code", e + L_CODE, 4, 2, -1));
            out.add(new Field("locator " + slot + " space", e + L_SPACE, 4, 2, -1));
            out.add(new Field("locator " + slot + " length", e + L_LENGTH, 4, 2, -1));
            out.add(new Field("locator " + slot + " offset", e + L_OFFSET, 8, 2, -1));
        }
        for (int i = 0; i < Math.min(l.entries, 8); i++) {
            out.add(new Field("BAT " + i, l.table + 4 * i, 4, 0, -1));
        }
        if (l.entries > 8) {
            out.add(new Field("BAT last", l.table + 4 * (l.entries - 1), 4, 0, -1));
        }
        if (l.batmapHeader >= 0) {
            int b = l.batmapHeader;
            out.add(new Field("batmap offset", b + B_OFFSET, 8, 3, -1));
            out.add(new Field("batmap sectors", b + B_SECTORS, 4, 3, -1));
            out.add(new Field("batmap version", b + B_VERSION, 4, 3, -1));
            out.add(new Field("batmap checksum", b + B_CHECKSUM, 4, 0, -1));
            out.add(new Field("batmap map byte", b + 512, 1, 3, -1));
        }
        return out;
    }

    static final long[] CODES = {0, W2RU, W2KU, 0x4D616358L, 0x57693272L, 0x5769326BL, 0x4D616320L, 0x58585858L};

    static void field(Mutant m, int f, Random r) {
        Layout l = m.sample.layouts.get(f);
        VhdBytes v = new VhdBytes(m.files[f]);
        List<Field> fs = fields(l);
        Field fd = fs.get(r.nextInt(fs.size()));
        int fieldAt = fd.footerField() >= 0 ? l.endFooter + fd.footerField() : fd.at();
        if (fieldAt < 0 || fieldAt + fd.width() > v.length() || (fd.footerField() >= 0 && l.endFooter + 512 > v.length())) {
            m.note("file " + f + ": " + fd.name() + " no longer in the file");
            return;
        }
        boolean fix = r.nextInt(100) < 85;
        long value;
        if (fd.name().endsWith(" code") && r.nextBoolean()) {
            value = CODES[r.nextInt(CODES.length)];
        } else if (fd.name().endsWith(" length") && r.nextBoolean()) {
            // a shorter path: ".\parent.vhd" cut to ".\", "." or "" names the directory
            long len = l.locators.stream().filter(x -> fd.name().startsWith("locator " + x.slot())).mapToLong(Layout.Locator::length)
                    .findFirst().orElse(24);
            value = 2L * r.nextInt((int) (len / 2) + 1);
        } else {
            int at = fd.footerField() >= 0 ? l.endFooter + fd.footerField() : fd.at();
            long orig = fd.width() == 8 ? v.u64(at) : fd.width() == 4 ? v.u32(at) : fd.width() == 2 ? (v.u8(at) << 8 | v.u8(at + 1)) : v.u8(at);
            value = interesting(r, orig, v.length(), fd.width());
        }
        if (fd.footerField() >= 0) {
            boolean both = l.sparse && r.nextInt(4) != 0;
            int[] copies = both ? new int[] {l.endFooter, 0} : new int[] {l.sparse && r.nextBoolean() ? 0 : l.endFooter};
            for (int at : copies) {
                put(v, at + fd.footerField(), fd.width(), value);
                if (fix) {
                    v.fixFooterAt(at);
                }
            }
        } else {
            put(v, fd.at(), fd.width(), value);
            if (fix) {
                if (fd.checksumKind() == 2) {
                    v.fixHeaderAt(l.header);
                } else if (fd.checksumKind() == 3) {
                    v.fixBatmapAt(l.batmapHeader);
                }
            }
        }
        m.note(String.format("file %d: %s = 0x%x%s", f, fd.name(), value, fix ? " (checksum fixed)" : ""));
    }

    static void put(VhdBytes v, int at, int width, long value) {
        switch (width) {
            case 8 -> v.put64(at, value);
            case 4 -> v.put32(at, value);
            case 2 -> {
                v.put8(at, value >>> 8);
                v.put8(at + 1, value);
            }
            default -> v.put8(at, value);
        }
    }

    static void resize(Mutant m, int f, Random r) {
        Layout l = m.sample.layouts.get(f);
        byte[] b = m.files[f];
        int len;
        switch (r.nextInt(4)) {
            case 0 -> len = r.nextInt(b.length + 1);
            case 1 -> {
                int[] marks = l.sparse ? new int[] {512, 1024, l.header + 1024, l.table, l.afterBat, l.endFooter, b.length - 511}
                        : new int[] {512, l.endFooter, b.length - 511};
                len = marks[r.nextInt(marks.length)] + new int[] {0, 1, -1, 511, -511, 512, -512}[r.nextInt(7)];
            }
            case 2 -> len = b.length + 1 + r.nextInt(4096); // garbage after the footer
            default -> len = b.length - 1 - r.nextInt(Math.min(b.length, 2048));
        }
        len = Math.max(0, len);
        byte[] out = Arrays.copyOf(b, len);
        if (len > b.length) {
            new Random(r.nextLong()).nextBytes(out);
            System.arraycopy(b, 0, out, 0, b.length);
            for (int i = b.length; i < len; i++) {
                out[i] = r.nextBoolean() ? 0 : out[i];
            }
        }
        m.files[f] = out;
        m.note("file " + f + ": length " + b.length + " -> " + len);
    }

    /** One structure's sector copied over another's (a header over the BAT, a footer over a bitmap, ...). */
    static void sectorCopy(Mutant m, int f, Random r) {
        byte[] b = m.files[f];
        Layout l = m.sample.layouts.get(f);
        List<Region> regs = regions(l, b.length);
        if (regs.isEmpty()) {
            return;
        }
        Region from = regs.get(r.nextInt(regs.size()));
        Region to = regs.get(r.nextInt(regs.size()));
        int n = (int) Math.min(512, Math.min(from.end() - from.start(), b.length - to.start()));
        System.arraycopy(b.clone(), (int) from.start(), b, (int) to.start(), Math.max(0, n));
        m.note("file " + f + ": " + n + " bytes of " + from.name() + " over " + to.name());
    }

    /** Bytes inside blocks' data areas (or a fixed disk's data): the chain must read the predicted content. */
    static void dataMutation(Mutant m, Random r) {
        Sample s = m.sample;
        int f = r.nextInt(s.files.size());
        Layout l = s.layouts.get(f);
        List<long[]> areas = new ArrayList<>();
        if (l.sparse) {
            for (int b : l.allocatedBlocks()) {
                areas.add(new long[] {l.dataAt(b), l.dataAt(b) + l.blockSize});
            }
        } else {
            areas.add(new long[] {0, l.size});
        }
        byte[] expected = s.content.clone();
        if (!areas.isEmpty()) {
            long[] a = areas.get(r.nextInt(areas.size()));
            int n = 1 + r.nextInt(16);
            for (int i = 0; i < n; i++) {
                long at = a[0] + (long) (r.nextDouble() * (a[1] - a[0]));
                byte nv = (byte) r.nextInt(256);
                m.files[f][(int) at] = nv;
                long virt = l.virtualOf(at);
                if (virt >= 0 && virt < expected.length && visibleFrom(s, f, virt)) {
                    expected[(int) virt] = nv;
                }
            }
            m.note("file " + f + ": " + n + " bytes in data areas");
        }
        m.expected = expected;
    }

    /** Whether layer f's byte at virt is what the chain returns: it holds it and no layer above does. */
    static boolean visibleFrom(Sample s, int f, long virt) {
        for (int i = 0; i < f; i++) {
            if (s.layouts.get(i).present(virt)) {
                return false;
            }
        }
        return s.layouts.get(f).present(virt);
    }

    /** Bytes no reader should look at (with checksums kept right): content and extents stay as they were. */
    static void ignoredMutation(Mutant m, Random r) {
        Sample s = m.sample;
        int f = r.nextInt(s.files.size());
        Layout l = s.layouts.get(f);
        VhdBytes v = new VhdBytes(m.files[f]);
        m.expected = s.content;
        m.ignored = true;
        List<String> options = new ArrayList<>(List.of("footer reserved", "footer creator/size/geometry", "padding before footer"));
        if (l.sparse) {
            options.addAll(List.of("header reserved", "locator slack", "clear-bit data", "locator reserved"));
            if (l.bitmapBytes * 8L > l.sectorsPerBlock && !l.allocatedBlocks().isEmpty()) {
                options.add("bitmap padding");
            }
            if (l.afterBat > l.table + 4L * l.entries) {
                options.add("BAT padding");
            }
            if (l.batmapHeader >= 0) {
                options.add("batmap header reserved");
            }
        }
        String o = options.get(r.nextInt(options.size()));
        int n = 1 + r.nextInt(8);
        switch (o) {
            case "footer reserved" -> {
                int[] at = new int[n];
                byte[] val = new byte[n];
                for (int i = 0; i < n; i++) {
                    at[i] = F_RESERVED + r.nextInt(512 - F_RESERVED);
                    val[i] = (byte) r.nextInt(256);
                }
                v.footerEdit(ft -> {
                    for (int i = 0; i < n; i++) {
                        v.put8(ft + at[i], val[i]);
                    }
                });
            }
            case "footer creator/size/geometry" -> {
                int[] choices = {F_CREATOR_APP, F_CREATOR_VERSION, F_CREATOR_HOST, F_ORIGINAL_SIZE, F_ORIGINAL_SIZE + 4, F_GEOMETRY};
                int at = choices[r.nextInt(choices.length)];
                long val = r.nextInt() & 0xFFFF_FFFFL;
                if (at == F_CREATOR_APP && l.batmapHeader >= 0) {
                    at = F_CREATOR_HOST; // the batmap is blktap's: keep 'tap'
                }
                int field = at;
                v.footerEdit(ft -> v.put32(ft + field, val));
            }
            case "padding before footer" -> {
                int pad = 512 * (1 + r.nextInt(8));
                byte[] out = new byte[v.length() + pad];
                System.arraycopy(v.b, 0, out, 0, l.endFooter);
                System.arraycopy(v.b, l.endFooter, out, l.endFooter + pad, 512);
                m.files[f] = out;
                m.note("file " + f + ": " + pad + " zero bytes before the end footer");
                return;
            }
            case "header reserved" -> {
                for (int i = 0; i < n; i++) {
                    int at = r.nextBoolean() ? H_RESERVED1 + r.nextInt(4) : H_RESERVED2 + r.nextInt(256);
                    v.put8(l.header + at, r.nextInt(256));
                }
                v.fixHeaderAt(l.header);
            }
            case "locator reserved" -> {
                if (l.locators.isEmpty()) {
                    v.put8(l.header + H_RESERVED2, 1);
                } else {
                    Layout.Locator loc = l.locators.get(r.nextInt(l.locators.size()));
                    v.put32(loc.entryAt() + L_RESERVED, r.nextInt());
                }
                v.fixHeaderAt(l.header);
            }
            case "locator slack" -> {
                if (l.locators.isEmpty()) {
                    v.put8(l.header + H_RESERVED2 + 1, 1);
                    v.fixHeaderAt(l.header);
                } else {
                    Layout.Locator loc = l.locators.get(r.nextInt(l.locators.size()));
                    long from = loc.dataAt() + loc.length();
                    long to = loc.dataAt() + loc.spaceBytes();
                    for (int i = 0; i < n && to > from; i++) {
                        v.put8(from + (long) (r.nextDouble() * (to - from)), r.nextInt(256));
                    }
                }
            }
            case "clear-bit data" -> {
                int done = 0;
                for (int tries = 0; tries < 64 && done < n; tries++) {
                    List<Integer> blocks = l.allocatedBlocks();
                    if (blocks.isEmpty()) {
                        break;
                    }
                    int b = blocks.get(r.nextInt(blocks.size()));
                    long at = l.dataAt(b) + (long) (r.nextDouble() * l.blockSize);
                    long virt = l.virtualOf(at);
                    if (virt < 0 || !l.present(virt)) {
                        v.put8(at, r.nextInt(256));
                        done++;
                    }
                }
            }
            case "bitmap padding" -> {
                List<Integer> blocks = l.allocatedBlocks();
                int b = blocks.get(r.nextInt(blocks.size()));
                for (int i = 0; i < n; i++) {
                    int bit = l.sectorsPerBlock + r.nextInt(l.bitmapBytes * 8 - l.sectorsPerBlock);
                    int at = (int) l.bitmapAt[b] + bit / 8;
                    v.b[at] |= (byte) (0x80 >>> (bit % 8));
                }
            }
            case "BAT padding" -> {
                long from = l.table + 4L * l.entries;
                for (int i = 0; i < n; i++) {
                    v.put8(from + (long) (r.nextDouble() * (l.afterBat - from)), r.nextInt(256));
                }
            }
            case "batmap header reserved" -> {
                for (int i = 0; i < n; i++) {
                    v.put8(l.batmapHeader + 29 + r.nextInt(512 - 29), r.nextInt(256));
                }
            }
            default -> throw new IllegalStateException(o);
        }
        m.note("file " + f + ": ignored bytes: " + o);
    }

    // ------------------------------------------------------------------------------------------------
    // one case

    static final class Stats {
        final Map<String, Integer> outcomes = new TreeMap<>();
        int opened;

        synchronized void count(String k) {
            outcomes.merge(k, 1, Integer::sum);
        }
    }

    static void runCase(long seed, Stats stats) throws Exception {
        Random r = new Random(seed);
        Sample s = SAMPLES.get(r.nextInt(SAMPLES.size()));
        Mutant m = mutate(s, r);
        for (int i = 0; i < s.files.size(); i++) {
            Files.write(s.files.get(i), m.files[i]);
        }
        Path top = s.top();
        boolean lenient = r.nextInt(4) == 0;
        ChainOptions o = lenient ? ChainOptions.forImage(top).lenient() : ChainOptions.forImage(top);
        String ctx = s.name + (lenient ? " lenient" : "") + ": " + m.what + " >>";

        try (VhdChain c = VhdChain.open(top, o, false)) {
            stats.opened++;
            exercise(c, m, r, ctx);
            stats.count("opened");
        } catch (VhdException e) {
            stats.count(e.code().name());
            if (m.expected != null) {
                fail(ctx + ": a harmless mutation must still open and read, got " + e.getMessage(), e);
            }
        }

        boolean topOpens;
        try (VhdImage img = VhdImage.open(top, new OpenOptions(false, true))) {
            topOpens = img.footer() != null;
        } catch (VhdException e) {
            topOpens = false;
        }
        try {
            CheckReport rep = VhdChecker.check(top, o);
            if (topOpens) {
                assertTrue(rep.problems().stream().noneMatch(Problem::fatal),
                        () -> ctx + ": the top opens strict, yet check reports a fatal problem: " + rep.problems());
            }
            if (m.ignored) {
                assertTrue(rep.problems().stream().noneMatch(p -> p.severity() == Severity.ERROR),
                        () -> ctx + ": only ignored bytes changed, yet check reports errors: " + rep.problems());
            }
        } catch (VhdException e) {
            // typed: fine
        }

        if (r.nextInt(4) == 0) {
            long before = Files.size(top);
            boolean repaired;
            try {
                VhdRepairer.repair(top);
                repaired = true;
            } catch (VhdException e) {
                repaired = false;
            }
            if (repaired) {
                long after = Files.size(top);
                // a 511-byte end footer restored to 512 bytes may add one sector at most; more is invented data
                assertTrue(after < before + 512, () -> ctx + " repair grew the file from " + before + " to " + after + " bytes");
                try (VhdImage img = VhdImage.open(top, OpenOptions.READ)) {
                    assertNotNull(img.footer());
                } catch (VhdException e) {
                    fail(ctx + ": repair reported success but the image does not open: " + e.getMessage(), e);
                }
            }
        }
    }

    static void exercise(VhdChain c, Mutant m, Random r, String ctx) throws IOException {
        long size = c.virtualSize();
        assertTrue(size >= 0, ctx);
        byte[] all = null;
        if (size <= FULL_READ_LIMIT) {
            ByteBuffer b = ByteBuffer.allocate((int) size);
            c.read(0, b);
            all = b.array();
            if (m.expected != null) {
                String diff = DiskModel.difference(m.expected, all);
                assertNull(diff, () -> ctx + ": " + diff);
            }
            if (size > 0) {
                // an unaligned sub-read agrees with the whole read
                int off = r.nextInt((int) size);
                int len = r.nextInt((int) Math.min(size - off, 70_000) + 1);
                ByteBuffer part = ByteBuffer.allocate(len);
                c.read(off, part);
                assertArrayEquals(Arrays.copyOfRange(all, off, off + len), part.array(), () -> ctx + ": sub-read at " + off);
            }
        } else {
            long[][] windows = {{0, 1 << 20}, {size - (1 << 20), 1 << 20},
                {((long) (r.nextDouble() * (size - 65536))) & ~511L, 65536}, {(long) (r.nextDouble() * (size - 4096)), 4096}};
            for (long[] w : windows) {
                ByteBuffer b = ByteBuffer.allocate((int) w[1]);
                c.read(w[0], b);
            }
        }
        for (int i = 0; i < c.layers().size(); i++) {
            VhdImage layer = c.layers().get(i);
            List<Extent> ex = layer.presentExtents();
            long prevEnd = -1;
            for (Extent e : ex) {
                assertTrue(e.offset() > prevEnd && e.length() > 0 && e.end() <= layer.virtualSize(),
                        () -> ctx + ": extents not sorted, merged and inside the disk: " + ex);
                prevEnd = e.end();
            }
            for (int k = 0; k < Math.min(ex.size(), 6); k++) {
                Extent e = ex.get(k);
                ByteBuffer b = ByteBuffer.allocate((int) Math.min(e.length(), 65536));
                layer.readPresent(e.offset(), b);
                if (i == 0 && all != null && e.end() <= all.length) {
                    assertArrayEquals(Arrays.copyOfRange(all, (int) e.offset(), (int) e.offset() + b.capacity()), b.array(),
                            () -> ctx + ": the top's present bytes differ from what the chain reads at " + e.offset());
                }
            }
            if (m.ignored || m.expected != null) {
                List<Extent> want = m.sample.extents.get(i);
                assertEquals(want, ex, () -> ctx + ": extents of layer " + layer.path().getFileName() + " changed");
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // driver

    /** Decimal or 0x-hex, all 64 bits (seeds are printed as unsigned hex). */
    static long parseSeed(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
    }

    static long caseSeed(int i) {
        long z = MASTER + (i + 1) * 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    static ExecutorService worker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-case");
            t.setDaemon(true);
            return t;
        });
    }

    /** A failure's kind: the throwable's class and the first engine frame, so one bug is listed once. */
    static String kind(Throwable t) {
        Throwable root = t;
        if (root instanceof AssertionError && root.getMessage() != null) {
            String msg = root.getMessage();
            int cut = msg.indexOf(" >>");
            String tail = (cut >= 0 ? msg.substring(cut + 3) : msg).replaceAll("[0-9]+", "#").trim();
            return "assertion: " + tail.substring(0, Math.min(70, tail.length()));
        }
        for (StackTraceElement e : root.getStackTrace()) {
            if (e.getClassName().startsWith("io.vhdstream.vhd.") && !e.getClassName().contains(".robust.")
                    && !e.getClassName().contains(".testkit.")) {
                return root.getClass().getName() + " at " + e;
            }
        }
        return root.getClass().getName();
    }

    @Test
    void mutatedImagesFailTypedOrReadAsPredicted() throws Exception {
        Stats stats = new Stats();
        if (ONE_CASE != null) {
            long seed = parseSeed(ONE_CASE);
            System.out.println("fuzz: reproducing case seed " + ONE_CASE);
            runCase(seed, stats);
            return;
        }
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, Integer> failureCounts = new LinkedHashMap<>();
        ExecutorService ex = worker();
        long start = System.nanoTime();
        int ran = 0;
        try {
            for (int i = 0; i < CASES; i++) {
                long seed = caseSeed(i);
                Future<?> f = ex.submit(() -> {
                    runCase(seed, stats);
                    return null;
                });
                Throwable problem = null;
                try {
                    f.get(CASE_DEADLINE_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException te) {
                    f.cancel(true);
                    ex.shutdownNow();
                    ex = worker(); // the stuck thread is abandoned (daemon)
                    problem = new AssertionError("case over its deadline of " + CASE_DEADLINE_MS + " ms (hang)");
                } catch (ExecutionException ee) {
                    problem = ee.getCause();
                }
                ran++;
                if (ran % PROGRESS_EVERY == 0) {
                    // a long run on a shared machine may be stopped before its end: what it covered so far is on record
                    System.out.printf("fuzz: progress %d of %d cases, %d s, %d failed, %d opened%n", ran, CASES,
                            (System.nanoTime() - start) / 1_000_000_000L, failureCounts.values().stream().mapToInt(Integer::intValue).sum(),
                            stats.opened);
                }
                if (problem != null) {
                    String k = kind(problem);
                    failureCounts.merge(k, 1, Integer::sum);
                    if (!failures.containsKey(k) && failures.size() < MAX_FAILURE_KINDS) {
                        StringWriter sw = new StringWriter();
                        problem.printStackTrace(new PrintWriter(sw));
                        String trace = sw.toString().lines().limit(14).reduce("", (a, b) -> a + "\n    " + b);
                        failures.put(k, String.format("case %d, seed 0x%x (-Dvhdstream.fuzz.case.seed=0x%x):%s", i, seed, seed, trace));
                    }
                }
            }
        } finally {
            ex.shutdownNow();
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("fuzz: %d cases in %d ms, master seed 0x%x; %d opened; outcomes %s%n", ran, ms, MASTER, stats.opened,
                stats.outcomes);
        if (!failures.isEmpty()) {
            StringBuilder sb = new StringBuilder(failureCounts.values().stream().mapToInt(Integer::intValue).sum()
                    + " of " + ran + " fuzz cases failed, " + failureCounts.size() + " kinds:\n");
            for (var e : failureCounts.entrySet()) {
                sb.append("* ").append(e.getValue()).append("x ").append(e.getKey()).append("\n  first: ")
                        .append(failures.getOrDefault(e.getKey(), "(not recorded)")).append('\n');
            }
            System.out.println(sb);
            fail(sb.toString());
        }
        if (ran >= 1000) {
            // the fuzzer must get past the checksums: enough cases open, and many distinct codes are reached
            assertTrue(stats.opened > ran / 5, "only " + stats.opened + " of " + ran + " cases opened: mutations too blunt");
            long codes = stats.outcomes.keySet().stream().filter(k -> !k.equals("opened")).count();
            assertTrue(codes >= 15, "only " + codes + " distinct codes reached: " + stats.outcomes);
        }
    }

    /** The corpus itself: each sample checks clean and its parents resolve (guards the fuzz's baseline). */
    @Test
    void corpusIsValid() throws IOException {
        assertEquals(9, SAMPLES.size());
        for (Sample s : SAMPLES) {
            for (int i = 0; i < s.files.size(); i++) {
                Files.write(s.files.get(i), s.pristine.get(i));
            }
            assertArrayEquals(s.content, Vhds.readChain(s.top()), s.name);
            assertEquals(s.files.size(), chainDepth(s.top()), s.name);
        }
    }

    static int chainDepth(Path top) throws IOException {
        try (VhdChain c = VhdChain.open(top)) {
            return c.layers().size();
        }
    }
}
