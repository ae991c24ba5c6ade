package io.vhdstream.vhd.io;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Positional I/O on one image file. Writers hold an exclusive OS file lock for as long as the file is open,
 * so a second writer, in this process or another, fails with {@link ProblemCode#IMAGE_LOCKED}.
 */
public final class ImageFile implements Closeable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean writable;
    private volatile WriteListener listener;

    private ImageFile(Path path, FileChannel channel, FileLock lock, boolean writable) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.writable = writable;
    }

    public static ImageFile open(Path path, boolean writable) throws IOException {
        if (java.nio.file.Files.exists(path) && !java.nio.file.Files.isRegularFile(path)) {
            // a directory fails later with an untyped "Is a directory"; a FIFO blocks in open(2) for ever
            throw new VhdException(ProblemCode.IO_ERROR, path + " is not a regular file");
        }
        FileChannel ch;
        try {
            ch = writable ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new VhdException(ProblemCode.IO_ERROR, "no such file: " + path, e);
        }
        FileLock lock = null;
        if (writable) {
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            if (lock == null) {
                ch.close();
                throw new VhdException(ProblemCode.IMAGE_LOCKED, path + " is open for writing elsewhere");
            }
        }
        return new ImageFile(path, ch, lock, writable);
    }

    /**
     * Opens read-only under a shared lock held until {@link #close()}: a file a writer holds (here or in another
     * process) is refused with {@link ProblemCode#IMAGE_LOCKED}, and no writer can take it meanwhile. For
     * files that must not change while something is derived from them (the parent of a new snapshot).
     */
    public static ImageFile openShared(Path path) throws IOException {
        ImageFile f = open(path, false);
        FileLock lock;
        try {
            lock = f.channel.tryLock(0, Long.MAX_VALUE, true);
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        if (lock == null) {
            f.close();
            throw new VhdException(ProblemCode.IMAGE_LOCKED, path + " is open for writing elsewhere");
        }
        return new ImageFile(path, f.channel, lock, false);
    }

    public Path path() {
        return path;
    }

    public boolean writable() {
        return writable;
    }

    public long size() throws IOException {
        return channel.size();
    }

    public FileChannel channel() {
        return channel;
    }

    /** Reads exactly dst.remaining() bytes at {@code position}; a short file is a typed error, never zeros. */
    public void readFully(long position, ByteBuffer dst) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new VhdException(ProblemCode.FILE_TOO_SMALL, path + ": read at " + pos + " is past the end of the file ("
                        + channel.size() + " bytes)");
            }
            pos += n;
        }
    }

    public byte[] read(long position, int length) throws IOException {
        byte[] b = new byte[length];
        readFully(position, ByteBuffer.wrap(b));
        return b;
    }

    /** Observes (and may veto) every later write; null removes it. */
    public void setWriteListener(WriteListener listener) {
        this.listener = listener;
    }

    public void writeFully(long position, ByteBuffer src) throws IOException {
        requireWritable();
        WriteListener l = listener;
        if (l != null) {
            l.beforeWrite(position, src.asReadOnlyBuffer());
        }
        long pos = position;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    public void write(long position, byte[] bytes) throws IOException {
        writeFully(position, ByteBuffer.wrap(bytes));
    }

    public void write(long position, byte[] bytes, int from, int len) throws IOException {
        writeFully(position, ByteBuffer.wrap(bytes, from, len));
    }

    public void force() throws IOException {
        channel.force(false);
        WriteListener l = listener;
        if (l != null) {
            l.synced();
        }
    }

    private void requireWritable() throws VhdException {
        if (!writable) {
            throw new VhdException(ProblemCode.READ_ONLY, path + " is open read-only");
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } finally {
            channel.close();
        }
    }
}
