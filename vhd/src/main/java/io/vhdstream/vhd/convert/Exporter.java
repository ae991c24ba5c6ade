package io.vhdstream.vhd.convert;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.VhdChain;

import io.vhdstream.vhd.io.AtomicOutput;
import io.vhdstream.vhd.io.Failures;
import io.vhdstream.vhd.io.WriteBehind;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes the whole virtual disk, as read through the chain, to a raw file or a stream: the one flattener
 * (export, rebuild's flat image and conversion to raw all come here). Runs no layer holds stay holes in a
 * regular output file and are written as zeros to a stream.
 *
 * <p>Into a regular file, a resolver thread walks the chain and hands out pieces of at most {@link #BUFFER}
 * bytes ({@link RunAhead}: it wakes once per {@link #AHEAD}/2 pieces, not per piece); {@link #COPIERS} threads (the calling one among them) each read a piece into a direct buffer of
 * their own and write it at its place, in any order. The cost of a copy through the page cache is the
 * kernel's copy into the output's pages (about three quarters of the CPU, for qemu-img as for us), so the
 * writes must run on every core, as qemu-img convert's parallel requests do; with one writer thread the
 * export was bound by that thread (docs/benchmarks.md). Into a stream, a reader thread reads through a ring
 * of {@link #BUFFERS} direct buffers and the calling thread writes them in order.
 *
 * <p>The chain's metadata is only touched by the resolver (or reader) thread while an export runs; the
 * copiers only read layer files at positions (thread-safe). Progress is reported from the calling thread.
 */
public final class Exporter {
    static final long WINDOW = 256L << 20;
    static final int BUFFER = 2 << 20;
    static final int BUFFERS = 4;
    /** Threads copying into a regular file: one per core, at least two (reads overlap writes), at most four. */
    static final int COPIERS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    /** Pieces the resolver may run ahead of the copiers (256 MiB of whole blocks); it wakes once per half. */
    static final int AHEAD = 128;
    private static final int ZERO_CHUNK = 1 << 20;
    private static final long POLL_MS = 50;

    private Exporter() {
    }

    /** What the reader hands the writer: data to write, zeros to write, progress, the end or a failure. */
    private record Item(ByteBuffer data, long at, long zeros, long done, Throwable error, boolean end) {
        static Item data(ByteBuffer b, long at) { return new Item(b, at, 0, -1, null, false); }
        static Item zeros(long at, long n) { return new Item(null, at, n, -1, null, false); }
        static Item progress(long done) { return new Item(null, -1, 0, done, null, false); }
        static Item failed(Throwable t) { return new Item(null, -1, 0, -1, t, true); }
        static final Item END = new Item(null, -1, 0, -1, null, true);
    }

    /** {@link #export(VhdChain, Path, boolean, ProgressListener)} replacing an existing file. */
    public static void export(VhdChain chain, Path rawOut, ProgressListener progress) throws IOException {
        export(chain, rawOut, true, progress);
    }

    /** {@link #export(VhdChain, Path, boolean, boolean, ProgressListener)} to a durable output. */
    public static void export(VhdChain chain, Path rawOut, boolean overwrite, ProgressListener progress) throws IOException {
        export(chain, rawOut, overwrite, true, progress);
    }

    /**
     * Writes the disk to a new regular file {@code rawOut}, atomically ({@link AtomicOutput}: nothing with that
     * name exists until the whole disk is written). An existing file is replaced only when {@code overwrite};
     * an image of the chain itself never. A {@code durable} output goes to the disk while it is written
     * ({@link WriteBehind}) and is fsynced before its rename; otherwise it is left in the page cache.
     */
    public static void export(VhdChain chain, Path rawOut, boolean overwrite, boolean durable, ProgressListener progress)
            throws IOException {
        long size = chain.virtualSize();
        if (Files.exists(rawOut)) {
            for (var layer : chain.layers()) {
                if (Files.isSameFile(rawOut, layer.path())) {
                    throw new VhdException(ProblemCode.INVALID_ARGUMENT, rawOut + " is " + layer.path()
                            + ", an image of the chain being exported; refusing to overwrite it");
                }
            }
        }
        try (AtomicOutput target = AtomicOutput.create(rawOut, overwrite, durable)) {
            try (FileChannel out = FileChannel.open(target.temp(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 WriteBehind behind = durable ? new WriteBehind(out) : null) {
                copyToFile(chain, size, out, behind, progress);
                if (out.size() < size) {
                    // The tail is a hole: truncate cannot grow a file, and writing its last byte would cost a block.
                    try (var raf = new java.io.RandomAccessFile(target.temp().toFile(), "rw")) {
                        raf.setLength(size);
                    }
                }
            }
            target.commit();
        }
    }

    /**
     * Writes the disk to a stream (a pipe, stdout, a device) front to back: holes become written zeros, as a
     * reader of a stream expects.
     */
    public static void export(VhdChain chain, WritableByteChannel out, ProgressListener progress) throws IOException {
        copy(chain, chain.virtualSize(), out, progress);
    }

    /** What the resolver hands the copiers: {@code length} bytes at {@code from} in layer {@code layer}, for disk offset {@code at}. */
    private record Piece(int layer, long from, long at, int length, long done) {
        static Piece progress(long done) { return new Piece(-1, -1, -1, 0, done); }
    }

    /**
     * Into a regular file: positional writes by {@link #COPIERS} threads, holes skipped, written bytes handed
     * to {@code behind} (when not null) as the copy goes.
     */
    private static void copyToFile(VhdChain chain, long size, FileChannel out, WriteBehind behind,
                                   ProgressListener progress) throws IOException {
        Copy copy = new Copy(chain, size, out, behind);
        List<Thread> threads = new ArrayList<>();
        threads.add(copy.start(copy::resolve, "vhd-export-reader"));
        for (int i = 1; i < COPIERS; i++) {
            threads.add(copy.start(copy::copyPieces, "vhd-export-copier"));
        }
        long reported = 0;
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        try {
            while (copy.copyPiece(buffer)) {
                long reached = copy.reached.get();
                if (reached > reported) {
                    reported = reached;
                    progress.progress(reached, size);
                }
            }
        } catch (Throwable e) {
            copy.fail(e);
        } finally {
            copy.stop |= copy.failure.get() != null;
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    copy.fail(new InterruptedIOException("export interrupted"));
                }
            }
        }
        Throwable f = copy.failure.get();
        if (f != null) {
            throw Failures.rethrow(f);
        }
        if (copy.reached.get() > reported) {
            progress.progress(copy.reached.get(), size);
        }
    }

    /** One copy into a regular file: the pieces between the resolver and the copiers, and the first failure. */
    private static final class Copy {
        private final VhdChain chain;
        private final long size;
        private final FileChannel out;
        private final WriteBehind behind;
        private final RunAhead<Piece> pieces = new RunAhead<>(AHEAD);
        final AtomicLong reached = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean stop;

        Copy(VhdChain chain, long size, FileChannel out, WriteBehind behind) {
            this.chain = chain;
            this.size = size;
            this.out = out;
            this.behind = behind;
        }

        Thread start(Runnable r, String name) {
            // No interrupts to stop them: an interrupt closes the FileChannel being read, which is the caller's.
            Thread t = new Thread(() -> {
                try {
                    r.run();
                } catch (Throwable e) {
                    fail(e);
                }
            }, name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        void fail(Throwable e) {
            failure.compareAndSet(null, e instanceof UncheckedIOException u ? u.getCause() : e);
            stop = true;
        }

        /** The resolver: the chain's runs in disk order, as pieces, then {@link RunAhead#finish}. */
        void resolve() {
            try {
                for (long win = 0; win < size && !stop; win += WINDOW) {
                    long len = Math.min(WINDOW, size - win);
                    chain.resolve(win, len, (o, n, layer, fileOff) -> {
                        for (long done = 0; layer >= 0 && done < n; ) {
                            int k = (int) Math.min(BUFFER, n - done);
                            put(new Piece(layer, fileOff + done, o + done, k, -1));
                            done += k;
                        }
                    });
                    put(Piece.progress(win + len));
                }
                pieces.finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Cancelled e) {
                // a copier failed first; it reported its own error
            }
        }

        void copyPieces() {
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
            try {
                while (copyPiece(buffer)) {
                    // until the end or a failure
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Copies the next piece through {@code b} (each copier's own); false at the end or after a failure. */
        boolean copyPiece(ByteBuffer b) throws IOException {
            Piece p;
            try {
                p = pieces.take(() -> stop);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("export interrupted");
            }
            if (p == null) {
                return false;
            }
            if (p.done() >= 0) {
                reached.accumulateAndGet(p.done(), Math::max);
                return true;
            }
            b.clear().limit(p.length());
            chain.layers().get(p.layer()).file().readFully(p.from(), b);
            b.flip();
            long pos = p.at();
            while (b.hasRemaining()) {
                pos += out.write(b, pos);
            }
            if (behind != null) {
                behind.written(p.length());
            }
            return true;
        }

        private void put(Piece p) {
            try {
                if (!pieces.put(p, () -> stop)) {
                    throw new Cancelled();
                }
            } catch (InterruptedException e) {
                throw new UncheckedIOException(new InterruptedIOException("export resolver interrupted"));
            }
        }
    }

    /** Puts {@code item} into {@code queue}, waiting for room; throws {@link Cancelled} once {@code cancelled}. */
    private static <T> void offer(BlockingQueue<T> queue, T item, java.util.function.BooleanSupplier cancelled) {
        try {
            while (!queue.offer(item, POLL_MS, TimeUnit.MILLISECONDS)) {
                if (cancelled.getAsBoolean()) {
                    throw new Cancelled();
                }
            }
        } catch (InterruptedException e) {
            throw new UncheckedIOException(new InterruptedIOException("export reader interrupted"));
        }
    }

    /** To a stream: sequential writes in the calling thread, holes as zeros, read ahead by a reader thread. */
    private static void copy(VhdChain chain, long size, WritableByteChannel out, ProgressListener progress)
            throws IOException {
        BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
        for (int i = 0; i < BUFFERS; i++) {
            free.add(ByteBuffer.allocateDirect(BUFFER));
        }
        // room for every buffer plus the zero, progress and end items between them: the reader never waits on it
        // for long, and the writer alone decides when to stop
        BlockingQueue<Item> full = new ArrayBlockingQueue<>(BUFFERS + 64);
        Reader reader = new Reader(chain, size, free, full);
        // No interrupts to stop it: an interrupt closes the FileChannel it is reading, which is the caller's.
        Thread t = new Thread(reader, "vhd-export-reader");
        t.setDaemon(true);
        t.start();
        ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
        try {
            while (true) {
                Item it;
                try {
                    it = full.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("export interrupted");
                }
                if (it.error() != null) {
                    throw Failures.rethrow(it.error());
                }
                if (it.end()) {
                    return;
                }
                if (it.data() != null) {
                    ByteBuffer b = it.data();
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                    free.add(b); // never full: there are only BUFFERS buffers
                } else if (it.zeros() > 0) {
                    writeZeros(out, zeros, it.at(), it.zeros());
                } else if (it.done() >= 0) {
                    progress.progress(it.done(), size);
                }
            }
        } finally {
            reader.cancelled = true;
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class Reader implements Runnable {
        private final VhdChain chain;
        private final long size;
        private final BlockingQueue<ByteBuffer> free;
        private final BlockingQueue<Item> full;
        volatile boolean cancelled;

        Reader(VhdChain chain, long size, BlockingQueue<ByteBuffer> free, BlockingQueue<Item> full) {
            this.chain = chain;
            this.size = size;
            this.free = free;
            this.full = full;
        }

        @Override
        public void run() {
            try {
                for (long win = 0; win < size && !cancelled; win += WINDOW) {
                    long len = Math.min(WINDOW, size - win);
                    chain.resolve(win, len, (o, n, layer, fileOff) -> {
                        if (layer >= 0) {
                            for (long done = 0; done < n; ) {
                                ByteBuffer b = take();
                                int k = (int) Math.min(BUFFER, n - done);
                                b.clear().limit(k);
                                chain.layers().get(layer).file().readFully(fileOff + done, b);
                                b.flip();
                                put(Item.data(b, o + done));
                                done += k;
                            }
                        } else {
                            put(Item.zeros(o, n));
                        }
                    });
                    put(Item.progress(win + len));
                }
                put(Item.END);
            } catch (Cancelled e) {
                // the writer stopped first; it reports its own error
            } catch (Throwable e) {
                try {
                    put(Item.failed(e));
                } catch (Cancelled ignored) {
                    // the writer stopped first
                }
            }
        }

        private ByteBuffer take() {
            try {
                while (true) {
                    if (cancelled) {
                        throw new Cancelled();
                    }
                    ByteBuffer b = free.poll(POLL_MS, TimeUnit.MILLISECONDS);
                    if (b != null) {
                        return b;
                    }
                }
            } catch (InterruptedException e) {
                throw new UncheckedIOException(new InterruptedIOException("export reader interrupted"));
            }
        }

        private void put(Item it) {
            offer(full, it, () -> cancelled);
        }
    }

    private static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super(null, null, false, false);
        }
    }

    private static void writeZeros(WritableByteChannel out, ByteBuffer zeros, long at, long n) throws IOException {
        for (long done = 0; done < n; ) {
            int k = (int) Math.min(zeros.capacity(), n - done);
            zeros.clear().limit(k);
            while (zeros.hasRemaining()) {
                done += out.write(zeros);
            }
        }
    }
}
