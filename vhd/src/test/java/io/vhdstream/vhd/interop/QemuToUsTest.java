package io.vhdstream.vhd.interop;

import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.check.CheckReport;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.extent.ExtentBuilder;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Images QEMU makes ({@code qemu-img create -f vpc}) and writes ({@code qemu-io}, byte-granular, so it
 * read-modify-writes partial sectors) read through {@link VhdChain} exactly as {@code qemu-img convert}
 * reads them, over the whole disk.
 *
 * <p>Sizes: without {@code force_size} QEMU rounds the requested size up to a CHS-representable one, writes
 * that into the current-size field too and, for creator {@code qemu}, sizes the disk by CHS; with it, the
 * creator is {@code qem2}, the geometry is the 65535/16/255 maximum and both sides use the current size.
 */
class QemuToUsTest {
    private static final long MIB = 1 << 20;
    private static final long QEMU_BLOCK = 2 * MIB;

    @TempDir
    Path dir;

    record Case(String name, String subformat, String size, boolean forceSize, long requested) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> images() {
        return Stream.of(
                new Case("fixed 10M", "fixed", "10M", false, 10 * MIB),
                new Case("dynamic 10M", "dynamic", "10M", false, 10 * MIB),
                new Case("dynamic 100M+512", "dynamic", "104858112", false, 104858112),
                new Case("fixed odd 3000000", "fixed", "3000000", false, 3000000),
                new Case("dynamic odd 12345678", "dynamic", "12345678", false, 12345678),
                new Case("dynamic force_size 3000000", "dynamic", "3000000", true, 3000000),
                new Case("dynamic force_size 100M+512", "dynamic", "104858112", true, 104858112),
                new Case("fixed force_size 12345678", "fixed", "12345678", true, 12345678));
    }

    static Stream<Case> smallImages() {
        return images().filter(c -> c.requested() < 20 * MIB);
    }

    /** Scattered writes: partial sectors, an overlap, a block boundary, one byte, the disk's last bytes. */
    static List<QemuTool.Write> writesFor(long size) {
        List<QemuTool.Write> all = List.of(
                new QemuTool.Write(0, 512, 0x11),
                new QemuTool.Write(1000, 300, 0x22),
                new QemuTool.Write(1200, 50, 0x77),
                new QemuTool.Write(QEMU_BLOCK - 700, 1400, 0x33),
                new QemuTool.Write(2 * QEMU_BLOCK + 4096, 65536, 0x44),
                new QemuTool.Write(5 * MIB + 17, 1, 0x55),
                new QemuTool.Write(size / 2 - QEMU_BLOCK + 123, (int) QEMU_BLOCK + 1000, 0x66),
                new QemuTool.Write(size - 2 * QEMU_BLOCK - 511, 1022, 0x99),
                new QemuTool.Write(size - 100, 100, 0x88));
        List<QemuTool.Write> fit = new ArrayList<>();
        for (QemuTool.Write w : all) {
            if (w.offset() >= 0 && w.offset() + w.length() <= size) {
                fit.add(w);
            }
        }
        return fit;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void qemuImagesReadIdentically(Case c, TestReporter reporter) throws IOException {
        Path vhd = dir.resolve("qemu.vhd");
        QemuTool.create(vhd, c.subformat(), c.size(), c.forceSize());
        long qemuSize = QemuTool.virtualSize(vhd);
        List<QemuTool.Write> writes = writesFor(qemuSize);
        QemuTool.write(vhd, writes);

        Path raw = dir.resolve("qemu.raw");
        QemuTool.convertToRaw(vhd, raw);
        assertEquals(qemuSize, Files.size(raw), "qemu-img convert wrote a raw file of the size qemu-img info reports");
        assertRawHoldsWrites(raw, qemuSize, writes);

        byte[] footer = lastSector(vhd);
        String creator = new String(footer, 28, 4, StandardCharsets.US_ASCII);
        long currentSize = ByteBuffer.wrap(footer, 48, 8).getLong();
        long chsSize = (long) ByteBuffer.wrap(footer, 56, 2).getShort() & 0xFFFF;
        chsSize *= (footer[58] & 0xFF) * (footer[59] & 0xFF) * 512L;

        try (VhdChain chain = VhdChain.open(vhd, ChainOptions.forImage(vhd), false)) {
            long ourSize = chain.virtualSize();
            reporter.publishEntry("sizes", String.format("%s: requested %d, creator '%s', footer current size %d, CHS size %d, "
                    + "qemu-img info %d, ours %d", c, c.requested(), creator, currentSize, chsSize, qemuSize, ourSize));
            assertEquals(currentSize, ourSize, "we size a disk by the footer's current size");
            assertTrue(ourSize >= c.requested(), "our size " + ourSize + " holds the " + c.requested() + " bytes asked of qemu-img");
            if (c.forceSize()) {
                assertEquals("qem2", creator, "force_size=on makes a 'qem2' image");
                assertEquals(qemuSize, ourSize, "for a current-size ('qem2') image both sides use the current size");
            } else {
                assertEquals("qemu", creator);
                assertEquals(chsSize, qemuSize, "qemu sizes its own 'qemu' images by CHS geometry");
                assertEquals(chsSize, currentSize, "qemu-img create writes the CHS-rounded size into current size too");
            }
            long common = Math.min(ourSize, qemuSize);
            DiskCompare.assertChainMatchesRaw(c + ": our read vs qemu-img convert", chain, raw, common);
            if (ourSize > common) {
                byte[] tail = new byte[(int) (ourSize - common)];
                chain.read(common, ByteBuffer.wrap(tail));
                assertTrue(allZero(tail), "bytes past qemu's CHS size read as zeros through us");
            }

            List<Extent> present = chain.top().presentExtents();
            if (chain.top().type() == DiskType.FIXED) {
                assertEquals(List.of(new Extent(0, ourSize)), present);
            } else {
                assertEquals(touchedBlocks(writes, ourSize), present,
                        "qemu sets every bitmap bit of a block it allocates: present = the written blocks");
            }
        }
    }

    /**
     * The other way round on the same images: we write into a QEMU-made image (into blocks QEMU allocated
     * and into new ones we allocate after them), QEMU reads our writes back, and our checker finds no error.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("smallImages")
    void ourWritesIntoQemuImagesReadBackInQemu(Case c) throws IOException {
        Path vhd = dir.resolve("qemu.vhd");
        QemuTool.create(vhd, c.subformat(), c.size(), c.forceSize());
        long qemuSize = QemuTool.virtualSize(vhd);
        QemuTool.write(vhd, writesFor(qemuSize));
        Path raw = dir.resolve("before.raw");
        QemuTool.convertToRaw(vhd, raw);
        DiskModel model = new DiskModel(Files.readAllBytes(raw), c.requested());

        try (VhdImage img = VhdImage.open(vhd, OpenOptions.WRITE)) {
            assertEquals(qemuSize, img.virtualSize());
            model.write(img, null, 512, 3 * 512); // inside the block qemu allocated first
            model.write(img, null, QEMU_BLOCK - 1024, 2048); // across a block boundary
            for (int i = 0; i < 20; i++) {
                int len = 512 * (1 + model.random.nextInt(300));
                model.write(img, null, model.aligned(qemuSize - len + 512, 512), len);
            }
            model.zero(img, null, 0, 512);
            model.write(img, null, qemuSize - 512, 512);
        }
        Path after = dir.resolve("after.raw");
        QemuTool.convertToRaw(vhd, after);
        DiskCompare.assertSameBytes(c + ": qemu-img convert after our writes", model.bytes, Files.readAllBytes(after));
        try (VhdChain chain = VhdChain.open(vhd)) {
            DiskCompare.assertSameBytes(c + ": our read after our writes", model.bytes, DiskCompare.readAll(chain));
        }
        CheckReport report = VhdChecker.check(vhd, ChainOptions.forImage(vhd));
        assertFalse(report.hasErrors(), "our checker on a qemu image we wrote into: " + report.problems());
    }

    /**
     * Disks past the CHS maximum (65535/16/255, about 127 GiB): QEMU writes the maximum geometry and then
     * uses the current size even for creator 'qemu'; 2040 GiB is the format's limit (1044480 BAT entries).
     * Far offsets are checked both ways: QEMU's writes read through us, ours verified by {@code qemu-io read -P}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hugeSizes")
    void hugeQemuImagesUseTheCurrentSize(String size) throws IOException {
        Path vhd = dir.resolve("huge.vhd");
        QemuTool.create(vhd, "dynamic", size, false);
        long qemuSize = QemuTool.virtualSize(vhd);
        long far = qemuSize / 2 + 17;
        List<QemuTool.Write> theirs = List.of(new QemuTool.Write(qemuSize - 512, 512, 0x5A),
                new QemuTool.Write(far, 1000, 0x6B), new QemuTool.Write(4096, 512, 0x7C));
        QemuTool.write(vhd, theirs);
        List<QemuTool.Write> ours = List.of(new QemuTool.Write(qemuSize - 4096, 2048, 0x3D),
                new QemuTool.Write(far + 1024 - 17, 4096, 0x4E), new QemuTool.Write(qemuSize / 3 / 512 * 512, 512, 0x1F));
        byte[] footer = lastSector(vhd);
        assertEquals(0xFFFF10FF, ByteBuffer.wrap(footer, 56, 4).getInt(), "maximum CHS geometry");
        try (VhdChain chain = VhdChain.open(vhd, ChainOptions.forImage(vhd), true)) {
            assertEquals(qemuSize, chain.virtualSize(), "both sides use the current size past the CHS maximum");
            for (QemuTool.Write w : theirs) {
                long from = w.offset() - 1; // one byte either side, where the disk has them
                long to = Math.min(w.offset() + w.length() + 1, qemuSize);
                byte[] got = new byte[(int) (to - from)];
                chain.read(from, ByteBuffer.wrap(got));
                byte[] want = new byte[got.length];
                Arrays.fill(want, 1, 1 + w.length(), (byte) w.pattern());
                DiskCompare.assertSameBytes("our read of qemu's write at " + w.offset(), want, got);
            }
            for (QemuTool.Write w : ours) {
                byte[] data = new byte[w.length()];
                Arrays.fill(data, (byte) w.pattern());
                chain.top().write(w.offset(), ByteBuffer.wrap(data));
            }
        }
        QemuTool.verify(vhd, ours);
        QemuTool.verify(vhd, List.of(new QemuTool.Write(far, 1000, 0x6B), new QemuTool.Write(qemuSize - 512, 512, 0x5A)));
    }

    static Stream<String> hugeSizes() {
        return Stream.of("200G", "2040G");
    }

    /** The raw output holds exactly the writes (and zeros elsewhere): the oracle itself is sane. */
    private static void assertRawHoldsWrites(Path raw, long size, List<QemuTool.Write> writes) throws IOException {
        int chunk = (int) (4 * MIB);
        try (FileChannel in = FileChannel.open(raw, StandardOpenOption.READ)) {
            ByteBuffer got = ByteBuffer.allocate(chunk);
            for (long pos = 0; pos < size; pos += chunk) {
                int n = (int) Math.min(chunk, size - pos);
                byte[] expected = new byte[n];
                for (QemuTool.Write w : writes) {
                    long s = Math.max(pos, w.offset());
                    long e = Math.min(pos + n, w.offset() + w.length());
                    if (s < e) {
                        Arrays.fill(expected, (int) (s - pos), (int) (e - pos), (byte) w.pattern());
                    }
                }
                got.clear().limit(n);
                while (got.hasRemaining()) {
                    if (in.read(got, pos + got.position()) < 0) {
                        throw new AssertionError("raw output ended at " + (pos + got.position()));
                    }
                }
                String diff = DiskCompare.difference(expected, got.array(), 0, n, pos);
                if (diff != null) {
                    throw new AssertionError("qemu-img convert output vs the qemu-io writes: " + diff);
                }
            }
        }
    }

    private static List<Extent> touchedBlocks(List<QemuTool.Write> writes, long size) {
        long blocks = (size + QEMU_BLOCK - 1) / QEMU_BLOCK;
        boolean[] touched = new boolean[(int) blocks];
        for (QemuTool.Write w : writes) {
            for (long b = w.offset() / QEMU_BLOCK; b <= (w.offset() + w.length() - 1) / QEMU_BLOCK; b++) {
                touched[(int) b] = true;
            }
        }
        ExtentBuilder out = new ExtentBuilder();
        for (int b = 0; b < blocks; b++) {
            if (touched[b]) {
                long start = b * QEMU_BLOCK;
                out.add(start, Math.min(QEMU_BLOCK, size - start));
            }
        }
        return out.build();
    }

    static byte[] lastSector(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(512);
            ch.read(b, ch.size() - 512);
            return b.array();
        }
    }

    static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
