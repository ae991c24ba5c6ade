package io.vhdstream.connector.source;

import io.vhdstream.schemas.LayerDigest;
import io.vhdstream.vhd.io.Failures;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Runs a {@link LayerReader} on its own thread, a few pieces ahead of the task: reading and hashing (each
 * record's SHA-256, which the layer's content digest reuses) overlap with the worker converting and sending
 * the previous records. Pieces come out in the reader's order, so the cut and the digests are unchanged.
 */
final class Prefetcher implements Closeable {
    private static final Object END = new Object();

    private final LayerReader reader;
    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private volatile boolean closed;
    private LayerDigest.Summary summary;
    private boolean ended;

    /** @param depth pieces read ahead at most (each up to a chunk) */
    Prefetcher(LayerReader reader, int depth, String name) {
        this.reader = reader;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, depth));
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!closed) {
                LayerReader.Piece p = reader.next();
                if (p == null) {
                    summary = reader.finish();
                    queue.put(END);
                    return;
                }
                queue.put(p);
            }
        } catch (InterruptedException e) {
            // closed
        } catch (Throwable t) {
            if (!closed) {
                try {
                    queue.put(t);
                } catch (InterruptedException ignored) {
                    // closed
                }
            }
        }
    }

    /** The next piece, or null at the end of the layer; then {@link #finish()} has the summary. */
    LayerReader.Piece next() throws IOException, InterruptedException {
        if (ended) {
            return null;
        }
        Object o = queue.take();
        if (o == END) {
            ended = true;
            return null;
        }
        if (o instanceof Throwable t) {
            throw Failures.rethrow(t);
        }
        return (LayerReader.Piece) o;
    }

    LayerDigest.Summary finish() {
        if (!ended) {
            throw new IllegalStateException("the layer is not read to its end");
        }
        return summary;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reader.close();
    }
}
