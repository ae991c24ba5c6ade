package io.vhdstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LimitsTest {

    @Test
    void sizes() {
        assertEquals(2040L << 30, Limits.MAX_VIRTUAL_SIZE);
        assertTrue(Limits.isSectorAligned(0));
        assertTrue(Limits.isSectorAligned(Limits.MAX_VIRTUAL_SIZE));
        assertFalse(Limits.isSectorAligned(511));
        assertFalse(Limits.isSectorAligned(-512));
        assertEquals(0, Limits.MAX_WRITE_BYTES % Limits.SECTOR);
        assertEquals(0, Limits.CHUNK_DEFAULT % Limits.SECTOR);
        assertTrue(Limits.MAX_DEAD_LETTER_ORIGINAL_BYTES > Limits.MAX_WRITE_BYTES + 1024,
                "a rejected max-size Write must still fit in its dead letter");
    }
}
