package io.vhdstream.vhd.convert;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.Sectors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Turns a raw disk file into a VHD. All-zero sectors are not written (they read as zeros anyway), so a
 * sparse raw file becomes a sparse image; with a parent, only the sectors that differ from the parent's
 * content are written into a new differencing child.
 */
public final class Importer {
    static final int CHUNK = 4 << 20;

    private Importer() {
    }

    public static void importRaw(Path rawIn, Path vhdOut, DiskType type, long blockSize, ProgressListener progress)
            throws IOException {
        try (FileChannel in = FileChannel.open(rawIn, StandardOpenOption.READ)) {
            long size = requireSectorSize(rawIn, in.size());
            switch (type) {
                case FIXED -> VhdCreator.fixed(vhdOut, size);
                case DYNAMIC -> VhdCreator.dynamic(vhdOut, size, blockSize);
                default -> throw new VhdException(ProblemCode.INVALID_ARGUMENT, "import makes fixed or dynamic images; "
                        + "use --parent for a differencing one");
            }
            fillOrDelete(vhdOut, in, size, null, progress);
        }
    }

    public static void importDiff(Path rawIn, Path vhdOut, Path parent, ChainOptions options, ProgressListener progress)
            throws IOException {
        try (FileChannel in = FileChannel.open(rawIn, StandardOpenOption.READ);
             VhdChain base = VhdChain.open(parent, options, false)) {
            long size = requireSectorSize(rawIn, in.size());
            if (size != base.virtualSize()) {
                throw new VhdException(ProblemCode.CHAIN_SIZE_MISMATCH, rawIn + " has " + size + " bytes; the parent disk has "
                        + base.virtualSize());
            }
            VhdCreator.differencing(vhdOut, parent);
            fillOrDelete(vhdOut, in, size, base, progress);
        }
    }

    /** A failed import leaves no half-written image behind: the image was ours, made moments ago. */
    private static void fillOrDelete(Path vhdOut, FileChannel in, long size, VhdChain base, ProgressListener progress)
            throws IOException {
        try (VhdImage out = VhdImage.open(vhdOut, OpenOptions.WRITE)) {
            copyDiffering(in, size, base, out, progress);
            out.sync();
        } catch (IOException | RuntimeException e) {
            java.nio.file.Files.deleteIfExists(vhdOut);
            throw e;
        }
    }

    /** Writes the runs of sectors of {@code in} that differ from {@code base} (or from zeros without one). */
    private static void copyDiffering(FileChannel in, long size, VhdChain base, VhdImage out, ProgressListener progress)
            throws IOException {
        ByteBuffer data = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(size, Sectors.SIZE)));
        ByteBuffer old = ByteBuffer.allocate(data.capacity());
        byte[] zeros = new byte[Sectors.SIZE];
        for (long pos = 0; pos < size; ) {
            int n = (int) Math.min(data.capacity(), size - pos);
            data.clear().limit(n);
            while (data.hasRemaining()) {
                if (in.read(data, pos + data.position()) < 0) {
                    throw new VhdException(ProblemCode.FILE_TOO_SMALL, "the raw file shrank while it was read");
                }
            }
            if (base != null) {
                old.clear().limit(n);
                base.read(pos, old);
            }
            byte[] d = data.array();
            byte[] o = base != null ? old.array() : null;
            int s = 0;
            while (s < n) {
                while (s < n && same(d, o, zeros, s)) {
                    s += Sectors.SIZE;
                }
                int e = s;
                while (e < n && !same(d, o, zeros, e)) {
                    e += Sectors.SIZE;
                }
                if (e > s) {
                    out.write(pos + s, ByteBuffer.wrap(d, s, e - s));
                }
                s = e;
            }
            pos += n;
            progress.progress(pos, size);
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
