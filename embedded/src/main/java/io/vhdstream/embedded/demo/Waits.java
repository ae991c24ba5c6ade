package io.vhdstream.embedded.demo;

import java.io.IOException;
import java.time.Duration;

/** Waiting for a stage of the pipeline: until it is done, failing when it stalls or takes too long. */
final class Waits {
    private static final Duration STAGE_TIMEOUT = Duration.ofMinutes(10);
    /** A stage whose count does not move for this long has stopped: fail with what it reached. */
    private static final Duration STALL_TIMEOUT = Duration.ofMinutes(2);

    private Waits() {
    }

    interface Counter {
        int get() throws IOException;
    }

    interface Probe<T> {
        T get() throws IOException;
    }

    /**
     * Waits until {@code done}; fails once {@code progress} (anything that moves while the stage works) stays the same
     * for the stall timeout, or at the stage timeout, saying where {@code state} was.
     */
    static void awaitProgress(Probe<Boolean> done, Probe<Long> progress, Probe<String> state, String what)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
        long seen = Long.MIN_VALUE;
        long movedAt = System.nanoTime();
        while (!done.get()) {
            long now = System.nanoTime();
            long p = progress.get();
            if (p != seen) {
                seen = p;
                movedAt = now;
            }
            if (now > deadline) {
                throw new IOException("timed out after " + STAGE_TIMEOUT.toMinutes() + " min waiting for " + what + ": "
                        + state.get());
            }
            if (now - movedAt > STALL_TIMEOUT.toNanos()) {
                throw new IOException("stopped: waiting for " + what + ", nothing moved for " + STALL_TIMEOUT.toMinutes()
                        + " min (" + state.get() + "; the logs of the topology, the source and the sink, and the dead-letter"
                        + " topic say why)");
            }
            Thread.sleep(200);
        }
    }

    static void awaitCount(Counter counter, int want, String what) throws IOException, InterruptedException {
        awaitProgress(() -> counter.get() >= want, () -> (long) counter.get(), () -> counter.get() + " of " + want, what);
    }
}
