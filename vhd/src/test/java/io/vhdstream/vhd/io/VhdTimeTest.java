package io.vhdstream.vhd.io;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VhdTimeTest {
    /** iso() prints what Instant.toString() prints, for every stored value's range (0 .. 2^32-1 s after 2000). */
    @Test
    void isoIsInstantToString() {
        Random r = new Random(3);
        long[] edges = {0, 1, 59, 86_399, 86_400, 680_278_055, 0xFFFF_FFFFL};
        for (long v : edges) {
            assertEquals(VhdTime.toInstant(v).toString(), VhdTime.iso(v));
        }
        for (int i = 0; i < 10_000; i++) {
            long v = r.nextLong() & 0xFFFF_FFFFL;
            assertEquals(VhdTime.toInstant(v).toString(), VhdTime.iso(v), () -> "value " + v);
        }
        assertEquals("2021-07-22T14:07:35Z", VhdTime.iso(680_278_055));
    }
}
