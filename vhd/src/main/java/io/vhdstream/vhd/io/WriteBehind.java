package io.vhdstream.vhd.io;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Gets a file that is being written onto the disk while it is still being written, so that the fsync which
 * makes it durable at the end finds little left to do: after every {@link #STEP} bytes written, a background
 * thread fdatasyncs the file (one sync at a time; the writer does not wait for it). Java has no
 * {@code sync_file_range}, which would start the disk writes without waiting; a thread that waits does the
 * same off the writer's path. A failed background sync is reported by {@link #close()}: the kernel reports a
 * write-back error once, and the final fsync (through another descriptor) might not see it again.
 */
public final class WriteBehind implements AutoCloseable {
    static final long STEP = 64L << 20;

    private final FileChannel ch;
    private final Thread thread;
    private long unsynced;
    private boolean requested;
    private boolean closed;
    private IOException error;

    public WriteBehind(FileChannel ch) {
        this.ch = ch;
        this.thread = new Thread(this::run, "vhd-write-behind");
        thread.setDaemon(true);
        thread.start();
    }

    /** The writers wrote {@code n} more bytes (from any thread). */
    public synchronized void written(long n) {
        unsynced += n;
        if (unsynced >= STEP) {
            unsynced = 0;
            synchronized (this) {
                requested = true;
                notifyAll();
            }
        }
    }

    private void run() {
        while (true) {
            synchronized (this) {
                while (!requested && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (!requested) {
                    return; // closed, nothing asked for: a sync asked for before close still runs
                }
                requested = false;
            }
            try {
                ch.force(false);
            } catch (IOException e) {
                synchronized (this) {
                    if (error == null) {
                        error = e;
                    }
                }
            }
        }
    }

    /** Waits for a sync in flight; throws the first background sync's failure. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (error != null) {
                throw error;
            }
        }
    }
}
