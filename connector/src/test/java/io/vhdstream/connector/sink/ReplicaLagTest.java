package io.vhdstream.connector.sink;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReplicaLagTest {
    @Test
    void theOldestLayerBegunAndNotSealedSetsTheLag() {
        ReplicaLag lag = new ReplicaLag();
        assertEquals(0, lag.lagMs(10_000));
        lag.started("d1", 1, 1_000);
        lag.started("d2", 1, 4_000);
        assertEquals(9_000, lag.lagMs(10_000));
        lag.sealed("d1", 1);
        assertEquals(6_000, lag.lagMs(10_000));
        lag.started("d2", 1, 9_000);   // begun again (a resent StartOfLayer)
        assertEquals(1_000, lag.lagMs(10_000));
        lag.clear();
        assertEquals(0, lag.lagMs(10_000));
    }
}
