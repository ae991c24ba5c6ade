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
            assertEquals(new CheckpointKeys.Key(id, -1), CheckpointKeys.parse(CheckpointKeys.disk(id)));
            assertTrue(CheckpointKeys.parse(CheckpointKeys.disk(id)).isDisk());
            assertEquals(new CheckpointKeys.Key(id, 7), CheckpointKeys.parse(CheckpointKeys.chunk(id, 7)));
            assertFalse(CheckpointKeys.parse(CheckpointKeys.chunk(id, 0)).isDisk());
        }
        assertThrows(IllegalArgumentException.class, () -> CheckpointKeys.parse(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> CheckpointKeys.parse(new byte[] {'X', 1}));
        byte[] truncated = CheckpointKeys.chunk("vm", 3);
        assertThrows(IllegalArgumentException.class,
                () -> CheckpointKeys.parse(java.util.Arrays.copyOf(truncated, truncated.length - 1)));
    }
}
