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

    private static long lag(SourceHarness h) {
        return ((Number) h.context.metric("source-lag-layers")).longValue();
    }
}
