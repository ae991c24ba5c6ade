package io.vhdstream.vhd.convert;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.image.BlockLayout;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.AtomicOutput;
import io.vhdstream.vhd.io.DataExtents;
import io.vhdstream.vhd.io.Sectors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a raw disk file into a VHD. All-zero sectors are not written (they read as zeros anyway), so a
 * sparse raw file becomes a sparse image; with a parent, only the sectors that differ from the parent's
 * content are written into a new differencing child. The image appears under its name only when complete.
 * A raw file's holes are skipped without reading them ({@link DataExtents}), so a sparse input costs what
 * its data costs.
 */
public final class Importer {
    static final int CHUNK = 4 << 20;
    /** A raw file's ranges are listed a window at a time, so the lists stay small. */
    static final long WINDOW = 1L << 30;
    /** Holes shorter than this between two ranges are read through: one read costs less than two. */
    static final long GAP = 64 << 10;

    private Importer() {
    }

    /** A new fixed or dynamic image {@code vhdOut} (which must not exist) holding the raw file's content. */
    public static void importRaw(Path rawIn, Path vhdOut, DiskType type, long blockSize, ProgressListener progress)
            throws IOException {
        importRaw(rawIn, vhdOut, type, blockSize, false, progress);
    }

    /**
     * Writes a new fixed or dynamic image holding the raw file's content, atomically ({@link AtomicOutput}):
     * {@code vhdOut} appears only once the import is complete. An existing file is replaced only when
     * {@code overwrite}.
     */
    public static void importRaw(Path rawIn, Path vhdOut, DiskType type, long blockSize, boolean overwrite,
                                 ProgressListener progress) throws IOException {
        try (FileChannel in = FileChannel.open(rawIn, StandardOpenOption.READ)) {
            long size = requireSectorSize(rawIn, in.size());
            importInto(img -> copyDataExtents(in, size, null, img::write, progress), size, vhdOut, type, blockSize, overwrite);
        }
    }

    public static void importDiff(Path rawIn, Path vhdOut, Path parent, ChainOptions options, ProgressListener progress)
            throws IOException {
        importDiff(rawIn, vhdOut, parent, options, false, progress);
    }

    /**
     * Writes a new differencing child of {@code parent} holding only the sectors where the raw file differs
     * from the parent's content, atomically like {@link #importRaw}. The child's locators name the final path.
     */
    public static void importDiff(Path rawIn, Path vhdOut, Path parent, ChainOptions options, boolean overwrite,
                                  ProgressListener progress) throws IOException {
        try (FileChannel in = FileChannel.open(rawIn, StandardOpenOption.READ);
             VhdChain base = VhdChain.open(parent, options, false)) {
            long size = requireSectorSize(rawIn, in.size());
            requireParentSize(rawIn.toString(), size, base);
            diffInto(img -> copyDataExtents(in, size, base, img::write, progress), parent, vhdOut, overwrite);
        }
    }

    /**
     * Like {@link #importDiff(Path, Path, Path, ChainOptions, boolean, ProgressListener)} from a stream (stdin,
     * a pipe) read front to back and compared with the parent as it comes; it must carry exactly the parent's
     * size, which {@code size} (when not null, as given by the user) must match too.
     */
    public static void importDiff(ReadableByteChannel in, String inName, Long size, Path vhdOut, Path parent,
                                  ChainOptions options, boolean overwrite, ProgressListener progress) throws IOException {
        try (VhdChain base = VhdChain.open(parent, options, false)) {
            long n = base.virtualSize();
            if (size != null) {
                requireParentSize(inName, size, base);
            }
            diffInto(streamed(in, inName, n, base, progress), parent, vhdOut, overwrite);
        }
    }

    private static void requireParentSize(String inName, long size, VhdChain base) throws VhdException {
        if (size != base.virtualSize()) {
            throw new VhdException(ProblemCode.CHAIN_SIZE_MISMATCH, inName + " has " + size + " bytes; the parent disk has "
                    + base.virtualSize());
        }
    }

    /** The one body of every differencing import: a new child of {@code parent} under a temporary name, filled, committed. */
    private static void diffInto(Fill fill, Path parent, Path vhdOut, boolean overwrite) throws IOException {
        try (AtomicOutput out = AtomicOutput.create(vhdOut, overwrite)) {
            VhdCreator.differencing(out.temp(), parent); // same directory as vhdOut: the same relative locator
            try (VhdImage img = VhdImage.open(out.temp(), OpenOptions.WRITE)) {
                fill.into(img);
                img.sync();
            }
            out.commit();
        }
    }

    /** Reads exactly {@code size} bytes of a stream in order, writing what differs from {@code base} (or zeros). */
    private static Fill streamed(ReadableByteChannel in, String inName, long size, VhdChain base, ProgressListener progress) {
        return img -> {
            copyDiffering((dst, position) -> in.read(dst), size, base, img::write, progress);
            if (in.read(ByteBuffer.allocate(1)) > 0) {
                throw new VhdException(ProblemCode.INVALID_ARGUMENT, inName + " carries more than the " + size
                        + " bytes of the disk; nothing was created");
            }
        };
    }

    /**
     * Like {@link #importRaw(Path, Path, DiskType, long, boolean, ProgressListener)} from a stream (stdin, a
     * pipe) that must carry exactly {@code size} bytes, read front to back.
     */
    public static void importRaw(ReadableByteChannel in, String inName, long size, Path vhdOut, DiskType type, long blockSize,
                                 boolean overwrite, ProgressListener progress) throws IOException {
        requireSectorSize(Path.of(inName), size);
        importInto(streamed(in, inName, size, null, progress), size, vhdOut, type, blockSize, overwrite);
    }

    /**
     * A new fixed or dynamic image holding the content of {@code source} (a VHD chain being converted or
     * flattened, or a raw file), atomically like {@link #importRaw}; all-zero sectors are not stored. A raw
     * file is read as {@link #importRaw} reads it (its data extents), so both make the same file.
     */
    public static void importDisk(DiskSource source, Path vhdOut, DiskType type, long blockSize, boolean overwrite,
                                  ProgressListener progress) throws IOException {
        long size = requireSectorSize(Path.of(source.name()), source.size());
        importInto(img -> copySource(source, size, img::write, progress), size, vhdOut, type, blockSize, overwrite);
    }

    /**
     * The size of the file {@link #importDisk} would make of {@code source} (what it writes, placed as the
     * image places it; nothing is written), and of the same disk with every sector holding data.
     */
    public static Measurement measure(DiskSource source, DiskType type, long blockSize, ProgressListener progress)
            throws IOException {
        long size = requireSectorSize(Path.of(source.name()), source.size());
        if (type != DiskType.DYNAMIC) {
            return measure(size, type, blockSize);
        }
        BlockLayout layout = VhdCreator.dynamicLayout(size, blockSize);
        copySource(source, size, (offset, data) -> layout.write(offset, data.remaining()), progress);
        return new Measurement(layout.fileSize(), measure(size, type, blockSize).fullyAllocated());
    }

    /** {@link #measure(DiskSource, DiskType, long, ProgressListener)} of an empty disk of {@code size} bytes. */
    public static Measurement measure(long size, DiskType type, long blockSize) throws IOException {
        if (type == DiskType.FIXED) {
            VhdCreator.checkSize(size);
            return new Measurement(size + Footer.SIZE, size + Footer.SIZE);
        }
        if (type != DiskType.DYNAMIC) {
            throw new VhdException(ProblemCode.INVALID_ARGUMENT, "import makes fixed or dynamic images");
        }
        long empty = VhdCreator.dynamicLayout(size, blockSize).fileSize();
        BlockLayout full = VhdCreator.dynamicLayout(size, blockSize);
        for (long pos = 0; pos < size; pos += CHUNK) { // as copyDiffering writes a disk whose every sector holds data
            full.write(pos, Math.min(CHUNK, size - pos));
        }
        return new Measurement(empty, full.fileSize());
    }

    /** The two sizes {@code vhd measure} reports, as {@code qemu-img measure} names them. */
    public record Measurement(long required, long fullyAllocated) {
    }

    /**
     * Writes what differs from zeros in {@code source}: a raw file's data extents, or a chain's 4 MiB chunks
     * (those no layer holds are skipped unread: they are zeros).
     */
    private static void copySource(DiskSource source, long size, Writes out, ProgressListener progress) throws IOException {
        if (source instanceof DiskSource.Raw raw) {
            copyDataExtents(raw.channel(), size, null, out, progress);
            return;
        }
        Buffers b = new Buffers(size);
        Source in = (dst, position) -> {
            int n = dst.remaining();
            source.read(position, dst);
            return n;
        };
        for (long pos = 0; pos < size; ) {
            int n = (int) Math.min(b.data.capacity(), size - pos);
            if (!source.hole(pos, n)) {
                copyDiffering(in, pos, n, size, null, out, b);
            }
            pos += n;
            progress.progress(pos, size);
        }
    }

    /** Where the sectors to store go: the new image, or a {@link BlockLayout} that only counts. */
    @FunctionalInterface
    private interface Writes {
        void write(long offset, ByteBuffer data) throws IOException;
    }

    /** Writes the disk's content into the new image (and may still refuse the import by throwing). */
    @FunctionalInterface
    private interface Fill {
        void into(VhdImage img) throws IOException;
    }

    /** The one body of every fixed or dynamic import: a new image under a temporary name, filled, committed. */
    private static void importInto(Fill fill, long size, Path vhdOut, DiskType type, long blockSize, boolean overwrite)
            throws IOException {
        if (type != DiskType.FIXED && type != DiskType.DYNAMIC) {
            throw new VhdException(ProblemCode.INVALID_ARGUMENT, "import makes fixed or dynamic images; "
                    + "use --parent for a differencing one");
        }
        try (AtomicOutput out = AtomicOutput.create(vhdOut, overwrite)) {
            if (type == DiskType.FIXED) {
                VhdCreator.fixed(out.temp(), size);
            } else {
                VhdCreator.dynamic(out.temp(), size, blockSize);
            }
            try (VhdImage img = VhdImage.open(out.temp(), OpenOptions.WRITE)) {
                fill.into(img);
                img.sync();
            }
            out.commit();
        }
    }

    /** Where the bytes to import come from: a file read at positions, or a stream read in order. */
    @FunctionalInterface
    private interface Source {
        /** Reads into dst from the raw disk's {@code position} (the next unread one, for a stream); -1 at the end. */
        int read(ByteBuffer dst, long position) throws IOException;
    }

    /**
     * {@link #copyDiffering(Source, long, VhdChain, Writes, ProgressListener)} for a raw file, reading only
     * the ranges where it or the parent holds data: the file's data extents (its holes read as zeros) and the
     * runs the parent chain holds (in a hole of the file the new disk reads zeros, which differ from the
     * parent's data unless that is zeros too). Time and memory follow the data, not the disk's size.
     */
    private static void copyDataExtents(FileChannel in, long size, VhdChain base, Writes out, ProgressListener progress)
            throws IOException {
        Buffers b = new Buffers(size);
        for (long win = 0; win < size; win += WINDOW) {
            long end = Math.min(size, win + WINDOW);
            for (Extent r : rangesToCompare(in, win, end, base)) {
                for (long pos = r.offset(); pos < r.end(); ) {
                    int n = (int) Math.min(b.data.capacity(), r.end() - pos);
                    copyDiffering(in::read, pos, n, size, base, out, b);
                    pos += n;
                }
            }
            progress.progress(end, size);
        }
    }

    /** The sorted ranges of [from, end) to read, whole sectors, with gaps under {@link #GAP} read through. */
    private static List<Extent> rangesToCompare(FileChannel in, long from, long end, VhdChain base) throws IOException {
        List<Extent> raw = new ArrayList<>();
        for (long pos = DataExtents.nextData(in, from, end); pos < end; pos = DataExtents.nextData(in, pos, end)) {
            long hole = DataExtents.nextHole(in, pos, end);
            raw.add(new Extent(pos & -Sectors.SIZE, Math.min(end, Sectors.roundUp(hole)) - (pos & -Sectors.SIZE)));
            pos = hole;
        }
        List<Extent> parent = new ArrayList<>();
        if (base != null) {
            base.resolve(from, end - from, (o, n, layer, fileOff) -> {
                if (layer >= 0) {
                    parent.add(new Extent(o, n));
                }
            });
        }
        List<Extent> out = new ArrayList<>();
        long s = -1;
        long e = -1;
        for (int i = 0, j = 0; i < raw.size() || j < parent.size(); ) {
            Extent next = j == parent.size() || (i < raw.size() && raw.get(i).offset() <= parent.get(j).offset())
                    ? raw.get(i++) : parent.get(j++);
            if (s >= 0 && next.offset() <= e + GAP) {
                e = Math.max(e, next.end());
                continue;
            }
            if (s >= 0) {
                out.add(new Extent(s, e - s));
            }
            s = next.offset();
            e = next.end();
        }
        if (s >= 0) {
            out.add(new Extent(s, e - s));
        }
        return out;
    }

    /** Writes the runs of sectors of {@code in} that differ from {@code base} (or from zeros without one). */
    private static void copyDiffering(Source in, long size, VhdChain base, Writes out, ProgressListener progress)
            throws IOException {
        Buffers b = new Buffers(size);
        for (long pos = 0; pos < size; ) {
            int n = (int) Math.min(b.data.capacity(), size - pos);
            copyDiffering(in, pos, n, size, base, out, b);
            pos += n;
            progress.progress(pos, size);
        }
    }

    /** The buffers one import compares in: a chunk of the input, the parent's bytes there, a zero sector. */
    private static final class Buffers {
        final ByteBuffer data;
        final ByteBuffer old;
        final byte[] zeros = new byte[Sectors.SIZE];

        Buffers(long size) {
            data = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(size, Sectors.SIZE)));
            old = ByteBuffer.allocate(data.capacity());
        }
    }

    /** Reads {@code n} bytes at {@code pos} and writes the runs of sectors that differ. */
    private static void copyDiffering(Source in, long pos, int n, long size, VhdChain base, Writes out, Buffers b)
            throws IOException {
        ByteBuffer data = b.data;
        data.clear().limit(n);
        while (data.hasRemaining()) {
            if (in.read(data, pos + data.position()) < 0) {
                throw new VhdException(ProblemCode.FILE_TOO_SMALL, "the raw disk ended at " + (pos + data.position())
                        + " bytes, before the " + size + " expected (a file that shrank, or a stream that was cut)");
            }
        }
        if (base != null) {
            b.old.clear().limit(n);
            base.read(pos, b.old);
        }
        byte[] d = data.array();
        byte[] o = base != null ? b.old.array() : null;
        int s = 0;
        while (s < n) {
            while (s < n && same(d, o, b.zeros, s)) {
                s += Sectors.SIZE;
            }
            int e = s;
            while (e < n && !same(d, o, b.zeros, e)) {
                e += Sectors.SIZE;
            }
            if (e > s) {
                out.write(pos + s, ByteBuffer.wrap(d, s, e - s));
            }
            s = e;
        }
    }

    private static boolean same(byte[] d, byte[] base, byte[] zeros, int at) {
        return base != null ? Arrays.equals(d, at, at + Sectors.SIZE, base, at, at + Sectors.SIZE)
                : Arrays.equals(d, at, at + Sectors.SIZE, zeros, 0, Sectors.SIZE);
    }

    private static long requireSectorSize(Path raw, long size) throws VhdException {
        if (size == 0 || size % Sectors.SIZE != 0) {
            throw new VhdException(ProblemCode.INVALID_ARGUMENT, raw + " has " + size
                    + " bytes; a disk is a whole, non-zero number of 512-byte sectors");
        }
        return size;
    }
}
