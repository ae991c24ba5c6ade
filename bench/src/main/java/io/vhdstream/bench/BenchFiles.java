package io.vhdstream.bench;

import io.vhdstream.vhd.io.DataExtents;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.vhdstream.bench.VhdBench.MIB;

/** The files a benchmark times: compared byte by byte, and made ready (flushed, cached) before timing. */
final class BenchFiles {
    private BenchFiles() {
    }

    /** Compares two files byte by byte (cmp); returns the length, throws at the first difference. */
    static long compareFiles(Path a, Path b) throws IOException {
        try (FileChannel ca = FileChannel.open(a); FileChannel cb = FileChannel.open(b)) {
            if (ca.size() != cb.size()) {
                throw new IOException(a + " has " + ca.size() + " bytes, " + b + " has " + cb.size());
            }
            ByteBuffer ba = ByteBuffer.allocateDirect((int) (4 * MIB));
            ByteBuffer bb = ByteBuffer.allocateDirect((int) (4 * MIB));
            long pos = 0;
            while (pos < ca.size()) {
                ba.clear();
                bb.clear();
                int n = (int) Math.min(ba.capacity(), ca.size() - pos);
                ba.limit(n);
                bb.limit(n);
                readFully(ca, ba, pos);
                readFully(cb, bb, pos);
                ba.flip();
                bb.flip();
                int m = ba.mismatch(bb);
                if (m >= 0) {
                    throw new IOException(a + " and " + b + " differ at byte " + (pos + m));
                }
                pos += n;
            }
            return pos;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new IOException("short read");
            }
            pos += n;
        }
    }

    /**
     * Gets a freshly written input ready for timing: flushed to disk first (else the kernel's write-back of
     * gigabytes of dirty pages would run during the first timed runs), then read once so that every subject
     * finds it in the page cache.
     */
    static void settle(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        warm(p);
    }

    /**
     * Reads a file's data once so that every subject finds it in the page cache; holes hold nothing to cache
     * (reading the 64 GiB sparse file's holes took a minute).
     */
    static void warm(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p)) {
            ByteBuffer b = ByteBuffer.allocateDirect((int) (4 * MIB));
            long size = ch.size();
            for (long pos = DataExtents.nextData(ch, 0, size); pos < size; pos = DataExtents.nextData(ch, pos, size)) {
                long hole = DataExtents.nextHole(ch, pos, size);
                while (pos < hole) {
                    b.clear().limit((int) Math.min(b.capacity(), hole - pos));
                    int n = ch.read(b, pos);
                    if (n < 0) {
                        return;
                    }
                    pos += n;
                }
            }
        }
    }
}
