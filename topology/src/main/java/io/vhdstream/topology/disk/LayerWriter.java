package io.vhdstream.topology.disk;

import io.vhdstream.vhd.image.VhdImage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Performs {@link DiskLayers}' data writes on a thread of their own, in submission order, so that copying
 * block data into the page cache overlaps with fetching and decoding the next records. At most
 * {@link #MAX_QUEUED_BYTES} of data wait at once.
 *
 * <p>Everything else waits for the queue first ({@link #drain()}): sealing, trims, deletion, syncing, closing
 * an image. The first failed write makes every later write a no-op and is rethrown by the next call, so the
 * task fails; since the store records an input offset only after a drain and an fsync, the lost writes are
 * replayed from the input on restart.
 */
final class LayerWriter implements Closeable {
    static final int MAX_QUEUED_BYTES = 16 << 20;

    private final ExecutorService executor;
    private final Semaphore budget = new Semaphore(MAX_QUEUED_BYTES);
    private volatile Throwable failure;
    private volatile LongConsumer written = n -> { };
    private Future<?> last;

    LayerWriter(String name) {
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code img.write(offset, data)}; {@code data} must not change afterwards. */
    void write(VhdImage img, long offset, ByteBuffer data) throws IOException {
        check();
        int n = Math.min(data.remaining(), MAX_QUEUED_BYTES);
        try {
            budget.acquire(n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while queueing a layer write");
        }
        last = executor.submit(() -> {
            try {
                if (failure == null) {
                    int bytes = data.remaining();
                    img.write(offset, data);
                    written.accept(bytes);
                }
            } catch (Throwable t) {
                failure = t;
            } finally {
                budget.release(n);
            }
        });
    }

    /** Told, on the writer thread, the byte count of every write once it is in the layer file. */
    void onWritten(LongConsumer listener) {
        this.written = listener;
    }

    /** Waits until every queued write is done; throws the first write failure, if any. */
    void drain() throws IOException {
        Future<?> f = last;
        if (f != null) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for layer writes");
            } catch (ExecutionException e) {
                throw new IOException("layer writer failed", e.getCause());
            }
            last = null;
        }
        check();
    }

    private void check() throws IOException {
        Throwable t = failure;
        if (t != null) {
            throw t instanceof IOException io ? new IOException("an earlier layer write failed: " + io.getMessage(), io)
                    : new IOException("an earlier layer write failed: " + t, t);
        }
    }

    /** Stops the thread after the queued writes (which are not waited for if this thread is interrupted). */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
