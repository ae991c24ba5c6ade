package io.vhdstream.vhd.convert;

import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A virtual disk to read from, whatever holds it: a VHD chain or a raw file. {@link #hole} lets a reader skip
 * ranges that certainly read as zeros without reading them (a chain knows; a raw file is read).
 */
public interface DiskSource extends Closeable {
    long size();

    /** Fills {@code dst} with the disk's bytes from {@code offset}; past the end, zeros. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** True when nothing in [offset, offset+length) is held anywhere: it reads as zeros. */
    boolean hole(long offset, long length) throws IOException;

    String name();

    /** A VHD (through its chain) or, with {@code raw}, the file's bytes as they are. */
    static DiskSource open(Path file, boolean raw, ChainOptions options) throws IOException {
        return raw ? new Raw(file, FileChannel.open(file, StandardOpenOption.READ)) : new Chain(VhdChain.open(file, options, false));
    }

    /** A VHD chain. */
    record Chain(VhdChain chain) implements DiskSource {
        @Override
        public long size() {
            return chain.virtualSize();
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            long inside = Math.max(0, Math.min(dst.remaining(), size() - offset));
            if (inside > 0) {
                ByteBuffer part = dst.slice(dst.position(), (int) inside);
                chain.read(offset, part);
            }
            zeroFrom(dst, dst.position() + (int) inside);
        }

        @Override
        public boolean hole(long offset, long length) throws IOException {
            long inside = Math.max(0, Math.min(length, size() - offset));
            if (inside == 0) {
                return true;
            }
            boolean[] held = {false};
            chain.resolve(offset, inside, (o, n, layer, fileOff) -> held[0] |= layer >= 0);
            return !held[0];
        }

        @Override
        public String name() {
            return chain.top().path().toString();
        }

        @Override
        public void close() throws IOException {
            chain.close();
        }
    }

    /** A raw disk file. */
    record Raw(Path path, FileChannel channel) implements DiskSource {
        @Override
        public long size() {
            try {
                return channel.size();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            int start = dst.position();
            ByteBuffer d = dst.duplicate();
            while (d.hasRemaining()) {
                if (channel.read(d, offset + (d.position() - start)) < 0) {
                    break;
                }
            }
            zeroFrom(dst, d.position());
        }

        @Override
        public boolean hole(long offset, long length) {
            return offset >= size();
        }

        @Override
        public String name() {
            return path.toString();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static void zeroFrom(ByteBuffer dst, int from) {
        for (int i = from; i < dst.limit(); i++) {
            dst.put(i, (byte) 0);
        }
        dst.position(dst.limit());
    }
}
