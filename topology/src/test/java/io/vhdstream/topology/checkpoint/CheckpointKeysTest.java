package io.vhdstream.topology.checkpoint;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointKeysTest {
    @Test
    void keysRoundTripAndNeverCollide() {
        for (String id : new String[] {"vm-1", "a\u0000b", "é", "C", "D"}) {
            assertEquals(new CheckpointKeys.Key(3, id, -1), CheckpointKeys.parse(CheckpointKeys.disk(3, id)));
            assertTrue(CheckpointKeys.parse(CheckpointKeys.disk(0, id)).isDisk());
            assertEquals(new CheckpointKeys.Key(5, id, 7), CheckpointKeys.parse(CheckpointKeys.chunk(5, id, 7)));
            assertFalse(CheckpointKeys.parse(CheckpointKeys.chunk(0, id, 0)).isDisk());
        }
        assertThrows(IllegalArgumentException.class, () -> CheckpointKeys.parse(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> CheckpointKeys.parse(new byte[] {'X', 0, 0, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> CheckpointKeys.parse(new byte[] {'D', -1, -1, -1, -1}));
        byte[] truncated = CheckpointKeys.chunk(1, "vm", 3);
        assertThrows(IllegalArgumentException.class,
                () -> CheckpointKeys.parse(java.util.Arrays.copyOf(truncated, truncated.length - 1)));
    }
}
