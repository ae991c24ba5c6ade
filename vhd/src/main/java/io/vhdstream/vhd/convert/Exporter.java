package io.vhdstream.vhd.convert;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.VhdChain;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes the whole virtual disk, as read through the chain, to a raw file. Runs no layer holds stay holes
 * in a regular output file; present runs are copied file-to-file by the kernel (transferTo), never through
 * the heap.
 */
public final class Exporter {
    static final long WINDOW = 256L << 20;
    private static final int ZERO_CHUNK = 1 << 20;

    private Exporter() {
    }

    public static void export(VhdChain chain, Path rawOut, ProgressListener progress) throws IOException {
        long size = chain.virtualSize();
        if (Files.exists(rawOut)) {
            for (var layer : chain.layers()) {
                if (Files.isSameFile(rawOut, layer.path())) {
                    throw new VhdException(ProblemCode.INVALID_ARGUMENT, rawOut + " is " + layer.path()
                            + ", an image of the chain being exported; refusing to overwrite it");
                }
            }
        }
        try (FileChannel out = FileChannel.open(rawOut, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            boolean sparse = Files.isRegularFile(rawOut);
            ByteBuffer zeros = sparse ? null : ByteBuffer.allocateDirect(ZERO_CHUNK);
            for (long win = 0; win < size; win += WINDOW) {
                long len = Math.min(WINDOW, size - win);
                chain.resolve(win, len, (o, n, layer, fileOff) -> {
                    if (layer >= 0) {
                        out.position(o);
                        chain.layers().get(layer).file().transferTo(fileOff, n, out);
                    } else if (!sparse) {
                        writeZeros(out, zeros, o, n);
                    }
                });
                progress.progress(win + len, size);
            }
            if (sparse && out.size() < size) {
                // The tail is a hole: writing its last byte would cost a block; truncate cannot grow.
                try (var raf = new java.io.RandomAccessFile(rawOut.toFile(), "rw")) {
                    raf.setLength(size);
                }
            }
        }
    }

    private static void writeZeros(FileChannel out, ByteBuffer zeros, long at, long n) throws IOException {
        for (long done = 0; done < n; ) {
            int k = (int) Math.min(zeros.capacity(), n - done);
            zeros.clear().limit(k);
            while (zeros.hasRemaining()) {
                done += out.write(zeros, at + done);
            }
        }
    }
}
