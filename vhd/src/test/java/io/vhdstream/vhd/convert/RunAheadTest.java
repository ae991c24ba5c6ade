package io.vhdstream.vhd.convert;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The export's hand-off from its resolver to its copiers. */
class RunAheadTest {
    @Test
    @Timeout(60)
    void everyItemGoesToOneTakerInOrder() throws Exception {
        RunAhead<Integer> q = new RunAhead<>(8);
        int n = 20_000;
        List<List<Integer>> got = new ArrayList<>();
        List<Thread> takers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            List<Integer> mine = new ArrayList<>();
            got.add(mine);
            Thread th = new Thread(() -> {
                try {
                    for (Integer i; (i = q.take(() -> false)) != null; ) {
                        mine.add(i);
                    }
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            th.start();
            takers.add(th);
        }
        for (int i = 0; i < n; i++) {
            assertTrue(q.put(i, () -> false));
        }
        q.finish();
        for (Thread th : takers) {
            th.join();
        }
        boolean[] seen = new boolean[n];
        int total = 0;
        for (List<Integer> mine : got) {
            for (int k = 0; k < mine.size(); k++) {
                int i = mine.get(k);
                assertFalse(seen[i], "item " + i + " taken twice");
                seen[i] = true;
                if (k > 0) {
                    assertTrue(mine.get(k - 1) < i, "a taker got " + i + " after " + mine.get(k - 1));
                }
            }
            total += mine.size();
        }
        assertEquals(n, total);
    }

    @Test
    @Timeout(60)
    void aProducerAheadOfItsTakerSleepsOncePerHalfQueue() throws Exception {
        RunAhead<Integer> q = new RunAhead<>(8);
        int n = 1000;
        Thread taker = new Thread(() -> {
            try {
                while (q.take(() -> false) != null) {
                    LockSupport.parkNanos(50_000); // slower than the producer: it is always ahead
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        taker.start();
        for (int i = 0; i < n; i++) {
            assertTrue(q.put(i, () -> false));
        }
        q.finish();
        taker.join();
        // woken when half is taken, it refills 4 at a time: about n / 4 sleeps; woken at every take, about n
        assertTrue(q.producerSleeps() <= n / 4 + 1, q.producerSleeps() + " sleeps for " + n + " items");
        assertTrue(q.producerSleeps() > 0, "the producer was never ahead: nothing was measured");
    }

    @Test
    @Timeout(10)
    void aStopEndsBothWaits() throws Exception {
        RunAhead<Integer> q = new RunAhead<>(2);
        AtomicBoolean stop = new AtomicBoolean();
        assertTrue(q.put(1, stop::get));
        assertTrue(q.put(2, stop::get));
        Thread stopper = new Thread(() -> {
            LockSupport.parkNanos(200_000_000L);
            stop.set(true);
        });
        stopper.start();
        assertFalse(q.put(3, stop::get), "a full queue's producer returns once stopped, with nothing added");
        stopper.join();
        assertNull(q.take(stop::get), "a stopped taker gets nothing, though items are left");
        RunAhead<Integer> empty = new RunAhead<>(2);
        assertNull(empty.take(() -> true));
        empty.finish();
        assertNull(empty.take(() -> false), "finished and empty");
    }
}
