package io.vhdstream.vhd.convert;

import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.DataExtents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Importing sparse raw files reads their data extents only (SEEK_DATA/SEEK_HOLE) and gives the same image. */
class SparseImportTest {
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    /** The build makes the JNI library on Linux (./run-tests installs gcc); without it holes are not seen. */
    @Test
    void holesAreFoundOnLinux() {
        if (System.getProperty("os.name").equals("Linux")) {
            assertTrue(DataExtents.available(), "the data-extents JNI library is not in the vhd jar: was gcc missing at build?");
        }
    }

    @Test
    void dataExtentsOfASparseFile() throws IOException {
        Path raw = dir.resolve("s.raw");
        sparse(raw, 256L << 20, new long[] {1 << 20, 100L << 20}, 64 << 10, new Random(1));
        List<Extent> found = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(raw)) {
            long end = ch.size();
            for (long pos = DataExtents.nextData(ch, 0, end); pos < end; pos = DataExtents.nextData(ch, pos, end)) {
                long hole = DataExtents.nextHole(ch, pos, end);
                found.add(new Extent(pos, hole - pos));
                pos = hole;
            }
            assertEquals(0, ch.position(), "the channel's position is left alone");
        }
        assertEquals(2, found.size(), found::toString);
        assertTrue(found.get(0).offset() <= 1 << 20 && found.get(0).end() >= (1 << 20) + (64 << 10), found::toString);
        assertTrue(found.get(1).offset() <= 100L << 20 && found.get(1).end() >= (100L << 20) + (64 << 10), found::toString);
        assertTrue(found.stream().mapToLong(Extent::length).sum() <= 4 << 20, "holes are reported as holes: " + found);
    }

    /** 64 GiB with 1 MiB of data: the process reads a few MiB, not 64 GiB, and the image holds exactly the data. */
    @Test
    @Timeout(120)
    void aHugeSparseRawIsImportedByReadingOnlyItsData() throws IOException {
        Path raw = dir.resolve("big.raw");
        long[] at = {0, 3 * GIB + 4096, 40 * GIB, 64 * GIB - (256 << 10)};
        byte[][] data = sparse(raw, 64 * GIB, at, 256 << 10, new Random(2));
        Path vhd = dir.resolve("big.vhd");
        long before = bytesReadByThisProcess();
        Importer.importRaw(raw, vhd, DiskType.DYNAMIC, 2 << 20, ProgressListener.NONE);
        long read = bytesReadByThisProcess() - before;
        assertTrue(read < 64 << 20, "the import read " + read + " bytes for 1 MiB of data");
        try (VhdImage img = VhdImage.open(vhd)) {
            List<Extent> expected = new ArrayList<>();
            for (long a : at) {
                expected.add(new Extent(a, 256 << 10));
            }
            assertEquals(expected, img.presentExtents());
            for (int i = 0; i < at.length; i++) {
                ByteBuffer b = ByteBuffer.allocate(256 << 10);
                img.readPresent(at[i], b);
                assertArrayEquals(data[i], b.array());
            }
        }
    }

    /** A raw file with holes and the same content written out in full (no holes) give the same image. */
    @Test
    void holesOrWrittenZerosGiveTheSameImage() throws IOException {
        Random r = new Random(3);
        long size = 48L << 20;
        long[] at = {0, 5 << 20, (5 << 20) + (128 << 10), 33L << 20, size - (64 << 10)};
        Path holey = dir.resolve("holey.raw");
        sparse(holey, size, at, 64 << 10, r);
        Path full = dir.resolve("full.raw");
        try (FileChannel in = FileChannel.open(holey); FileChannel out = FileChannel.open(full, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            for (long pos = 0; pos < size; pos += b.capacity()) {
                b.clear();
                in.read(b, pos);
                b.flip();
                out.write(b, pos); // every byte allocated, zeros included
            }
        }
        for (DiskType type : List.of(DiskType.DYNAMIC, DiskType.FIXED)) {
            Path a = dir.resolve("a-" + type + ".vhd");
            Path b = dir.resolve("b-" + type + ".vhd");
            Importer.importRaw(holey, a, type, 1 << 20, ProgressListener.NONE);
            Importer.importRaw(full, b, type, 1 << 20, ProgressListener.NONE);
            try (VhdChain ca = VhdChain.open(a); VhdChain cb = VhdChain.open(b)) {
                assertEquals(ca.top().presentExtents(), cb.top().presentExtents());
                assertArrayEquals(readAll(ca), readAll(cb));
                assertArrayEquals(Files.readAllBytes(full), readAll(ca));
            }
        }
    }

    /** Where the raw file has a hole and the parent has data, the child must store zeros: holes are not "same". */
    @Test
    void aHoleOverTheParentsDataBecomesZerosInTheChild() throws IOException {
        long size = 16L << 20;
        Path parent = dir.resolve("parent.vhd");
        VhdCreator.dynamic(parent, size, 1 << 20);
        byte[] p = new byte[3 << 20];
        new Random(4).nextBytes(p);
        try (VhdImage img = VhdImage.open(parent, OpenOptions.WRITE)) {
            img.write(2 << 20, ByteBuffer.wrap(p));
        }
        Path raw = dir.resolve("new.raw");
        byte[][] data = sparse(raw, size, new long[] {8L << 20}, 64 << 10, new Random(5));
        Path child = dir.resolve("child.vhd");
        Importer.importDiff(raw, child, parent, ChainOptions.forImage(parent), ProgressListener.NONE);
        try (VhdChain c = VhdChain.open(child)) {
            byte[] all = readAll(c);
            byte[] expected = new byte[(int) size];
            System.arraycopy(data[0], 0, expected, 8 << 20, data[0].length);
            assertArrayEquals(expected, all);
            assertEquals(List.of(new Extent(2 << 20, 3 << 20), new Extent(8 << 20, 64 << 10)), c.top().presentExtents());
        }
    }

    /** A file of {@code size} bytes holding random data of {@code len} bytes at each offset, holes elsewhere. */
    private static byte[][] sparse(Path p, long size, long[] at, int len, Random r) throws IOException {
        byte[][] data = new byte[at.length][len];
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
            for (int i = 0; i < at.length; i++) {
                r.nextBytes(data[i]);
                f.seek(at[i]);
                f.write(data[i]);
            }
        }
        return data;
    }

    private static byte[] readAll(VhdChain c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) c.virtualSize());
        c.read(0, b);
        return b.array();
    }

    /** rchar of /proc/self/io: bytes this process had read(2) and pread(2) return, page cache or not. */
    private static long bytesReadByThisProcess() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("rchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new IOException("no rchar in /proc/self/io");
    }
}
