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

    /** Issue 9.7: a resync replaces the chain; the layers of it cut short are forgotten with their lag. */
    @Test
    void aResyncDropsTheDisksLayersLeftOpen() {
        ReplicaLag lag = new ReplicaLag();
        lag.started("d1", 2, 1_000);   // cut short: retention merged it into the base while it was sent
        lag.started("d10", 1, 5_000);  // another disk, whose id d1 is a prefix of
        lag.started("d1", 0, 8_000);   // the resync base
        lag.forgetDisk("d1");
        assertEquals(1, lag.open());
        assertEquals(5_000, lag.lagMs(10_000), "only d10's layer is still open");
    }
}
