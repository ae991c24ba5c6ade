package io.vhdstream.connector.source;

import io.vhdstream.connector.TestChains;
import io.vhdstream.vhd.create.VhdCreator;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code source-lag-layers}, counted per disk as chains and progress change: it rises with every sealed layer a scan
 * finds (a new disk, a new layer of a known one) and falls as layers are emitted whole, back to 0.
 */
class SourceLagTest {
    private static final long MIB = TestChains.MIB;

    @TempDir
    Path tmp;

    @Test
    void lagFollowsNewDisksNewLayersAndEmittedOnes() throws Exception {
        Path root = tmp.resolve("root");
        List<Path> a = TestChains.engineChain(root.resolve("a"), "a", 16 * MIB, 2 * MIB, 3, 1); // 3 sealed, a leaf
        // One scan per harness (the first poll): what the lag does between scans is the task's own counting.
        Map<String, String> props = Map.of(VhdSourceConnectorConfig.ROOTS_CONFIG, root.toString(),
                VhdSourceConnectorConfig.POLL_MAX_BYTES_CONFIG, "65536", VhdSourceConnectorConfig.SCAN_INTERVAL_MS_CONFIG, "600000");
        List<SourceRecord> sent = new ArrayList<>();
        try (SourceHarness h = new SourceHarness(props, null, false)) {
            sent.addAll(h.task.poll()); // scans, then sends the first part of a's base
            assertEquals(3L, lag(h), "disk a: 3 sealed layers, none emitted whole");
            sent.addAll(h.drain(2));
            assertEquals(0L, lag(h), "everything emitted");
        }

        TestChains.engineChain(root.resolve("b"), "b", 16 * MIB, 2 * MIB, 2, 2); // a new disk: 2 sealed
        VhdCreator.differencing(root.resolve("a/a-4.vhd"), a.get(3)); // a's leaf is sealed now
        try (SourceHarness h = new SourceHarness(props, SourceHarness.offsetsAfter(sent), false)) {
            h.task.poll();
            assertEquals(3L, lag(h), "b's 2 layers and a's new one; a's others were emitted before the restart");
            h.drain(2);
            assertEquals(0L, lag(h), "everything emitted again");
        }
    }

    /**
     * Issue 9.7: a scan hands over every disk's chain, but only a disk whose chain or progress changed is counted
     * again; scans of unchanged disks cost no recount (every disk was counted after every scan before).
     */
    @Test
    void aScanCountsAgainOnlyTheDisksThatChanged() throws Exception {
        Path root = tmp.resolve("root");
        int disks = 30;
        List<List<Path>> chains = new ArrayList<>();
        for (int i = 0; i < disks; i++) {
            chains.add(TestChains.engineChain(root.resolve("vm" + i), "d", 4 * MIB, MIB / 2, 1, 40 + i)); // 1 sealed, a leaf
        }
        Map<String, String> props = Map.of(VhdSourceConnectorConfig.ROOTS_CONFIG, root.toString(),
                VhdSourceConnectorConfig.SCAN_INTERVAL_MS_CONFIG, "100");
        try (SourceHarness h = new SourceHarness(props, null, false)) {
            h.drain(3);
            assertEquals(0L, lag(h));
            long before = h.task.lagRecounts();
            h.drain(6); // six idle polls: several scans that find nothing new
            assertEquals(before, h.task.lagRecounts(), "scans of " + disks + " unchanged disks counted some again");
            VhdCreator.differencing(root.resolve("vm7/d-2.vhd"), chains.get(7).get(1)); // vm7's leaf is sealed now
            h.drain(3);
            assertEquals(0L, lag(h));
            long recounted = h.task.lagRecounts() - before;
            assertTrue(recounted >= 1 && recounted <= 3, "one disk changed, " + recounted + " counted again");
        }
    }

    private static long lag(SourceHarness h) {
        return ((Number) h.context.metric("source-lag-layers")).longValue();
    }
}
