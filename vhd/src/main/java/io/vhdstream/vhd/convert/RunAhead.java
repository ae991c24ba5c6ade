package io.vhdstream.vhd.convert;

import java.util.function.BooleanSupplier;

/**
 * The export resolver's hand-off to its copiers: a bounded first-in first-out queue, each item to one taker.
 * The producer runs ahead by at most {@code capacity} items; once that far ahead it sleeps until the takers have
 * emptied half of it, so it wakes once per {@code capacity / 2} items instead of once per item (with every core
 * copying, each wake-up is a context switch taken from a copier: docs/benchmarks.md). Takers that find it empty
 * wait for the producer. Waits end every {@link #POLL_MS} to look at the caller's stop condition.
 */
final class RunAhead<T> {
    static final long POLL_MS = 50;

    private final Object[] ring;
    private long added;
    private long taken;
    private boolean finished;
    private boolean producerAsleep;
    private int takersAsleep;
    private int producerSleeps;

    RunAhead(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity " + capacity + " < 2");
        }
        ring = new Object[capacity];
    }

    /** Adds {@code item}, waiting for room; false, with nothing added, once {@code stop} says so. */
    synchronized boolean put(T item, BooleanSupplier stop) throws InterruptedException {
        if (added - taken == ring.length) {
            producerSleeps++;
            while (added - taken == ring.length) {
                if (stop.getAsBoolean()) {
                    return false;
                }
                producerAsleep = true;
                wait(POLL_MS);
            }
            producerAsleep = false;
        }
        ring[(int) (added++ % ring.length)] = item;
        if (takersAsleep > 0) {
            notifyAll();
        }
        return true;
    }

    /** No more items: takers get null once the rest are taken. */
    synchronized void finish() {
        finished = true;
        notifyAll();
    }

    /** The next item, waiting for one; null once all are taken after {@link #finish()}, or once {@code stop} says so. */
    @SuppressWarnings("unchecked")
    synchronized T take(BooleanSupplier stop) throws InterruptedException {
        while (added == taken) {
            if (finished || stop.getAsBoolean()) {
                return null;
            }
            takersAsleep++;
            try {
                wait(POLL_MS);
            } finally {
                takersAsleep--;
            }
        }
        int i = (int) (taken++ % ring.length);
        T item = (T) ring[i];
        ring[i] = null;
        if (producerAsleep && added - taken <= ring.length / 2) {
            producerAsleep = false;
            notifyAll();
        }
        return stop.getAsBoolean() ? null : item;
    }

    /** How many times the producer found the queue full and slept (what the hysteresis keeps low). */
    synchronized int producerSleeps() {
        return producerSleeps;
    }
}
