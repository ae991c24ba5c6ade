package io.vhdstream.connector.sink;

import io.vhdstream.connector.TestChains;
import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.connector.source.SourceHarness;
import io.vhdstream.connector.source.VhdSourceConnectorConfig;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.block.ZeroExtent;
import io.vhdstream.schemas.common.Sha256s;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replica store against the events the real source task emits for an engine-made chain. */
class ReplicaStoreTest {
    private static final long SIZE = 32 * TestChains.MIB;

    @TempDir
    Path tmp;
    private List<Path> chain;
    private List<BlockEvent> events;
    private String disk;

    @BeforeEach
    void emit() throws Exception {
        Path root = tmp.resolve("src");
        chain = TestChains.engineChain(root.resolve("d"), "x", SIZE, TestChains.MIB, 3, 42);
        List<SourceRecord> records = SourceHarness.emitAll(Map.of(VhdSourceConnectorConfig.ROOTS_CONFIG, root.toString(),
                VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "65536"));
        events = new ArrayList<>();
        for (SourceRecord r : records) {
            events.add(BlockEvents.fromConnect(r.value()));
        }
        disk = BlockEvents.diskId(events.get(0));
        assertEquals(3, events.stream().filter(e -> e.getPayload() instanceof EndOfLayer).count());
    }

    private ReplicaStore store() throws IOException {
        return new ReplicaStore(tmp.resolve("replica"), 4);
    }

    private Path top() throws IOException {
        try (ReplicaStore s = store()) {
            List<Path> sealed = s.sealedLayers(disk);
            return sealed.get(sealed.size() - 1);
        }
    }

    private void assertReplicaEqualsSource() throws IOException {
        try (ReplicaStore s = store()) {
            assertEquals(3, s.sealedLayers(disk).size(), "every layer sealed");
        }
        assertEquals(-1, TestChains.compareExports(chain.get(2), top(), tmp));
    }

    /**
     * After an I/O error the sink resets the store and Connect redelivers the batch: the store goes on from its
     * files (writers closed, so the layer files can be opened again) and takes the redelivered records.
     */
    @Test
    void aResetStoreGoesOnFromItsFilesWithTheBatchDeliveredAgain() throws Exception {
        int cut = events.size() * 2 / 3;
        try (ReplicaStore s = store()) {
            for (BlockEvent e : events.subList(0, cut)) {
                s.apply(e);
            }
            s.reset();
            for (BlockEvent e : events.subList(cut - 20, events.size())) {
                s.apply(e);
            }
        }
        assertReplicaEqualsSource();
    }

    @Test
    void aRecordLogLeftBesideASealedLayerIsDroppedWhenTheDiskIsLoaded() throws Exception {
        try (ReplicaStore s = store()) {
            for (BlockEvent e : events) {
                s.apply(e);
            }
        }
        Path top = top();
        Path stale = top.resolveSibling(top.getFileName().toString().replace(".vhd", RecordLog.SUFFIX));
        Files.write(stale, new byte[RecordLog.ENTRY]); // what a failure between sealing and deleting it leaves
        assertReplicaEqualsSource();
        assertTrue(Files.notExists(stale), "the stale record log is gone");
    }

    @Test
    void everythingTwiceIsHarmless() throws Exception {
        try (ReplicaStore s = store()) {
            for (BlockEvent e : events) {
                s.apply(e);
            }
            for (BlockEvent e : events) {
                assertEquals(e.getPayload() instanceof StartOfLayer || e.getPayload() instanceof ChangedBlock
                        || e.getPayload() instanceof ZeroExtent || e.getPayload() instanceof EndOfLayer
                        ? ReplicaStore.Outcome.IGNORED_SEALED : ReplicaStore.Outcome.SKIPPED, s.apply(e));
            }
        }
        assertReplicaEqualsSource();
    }

    @Test
    void redeliveryAfterARestartAnywhereSealsEveryLayer() throws Exception {
        // A sink that crashes and restarts, each time re-reading from a point before where it had got to.
        Random r = new Random(3);
        int applied = 0;
        while (applied < events.size()) {
            int upTo = Math.min(events.size(), applied + 1 + r.nextInt(40));
            int from = Math.max(0, applied - r.nextInt(25));
            try (ReplicaStore s = store()) {
                for (int i = from; i < upTo; i++) {
                    ReplicaStore.Outcome o = s.apply(events.get(i));
                    if (i < applied && events.get(i).getPayload() instanceof ChangedBlock) {
                        assertTrue(o == ReplicaStore.Outcome.REPEATED || o == ReplicaStore.Outcome.IGNORED_SEALED
                                || o == ReplicaStore.Outcome.WRITTEN, o.toString());
                    }
                }
                s.flush();
            }
            applied = upTo;
        }
        assertReplicaEqualsSource();
    }

    @Test
    void aWrongContentDigestLeavesTheLayerUnsealed() throws Exception {
        try (ReplicaStore s = store()) {
            int firstEnd = indexOfEnd(0);
            for (int i = 0; i < firstEnd; i++) {
                s.apply(events.get(i));
            }
            EndOfLayer end = (EndOfLayer) events.get(firstEnd).getPayload();
            EndOfLayer bad = EndOfLayer.newBuilder(end).setContentSha256(Sha256s.of(new byte[32])).build();
            ReplicaStore.RejectedException ex = assertThrows(ReplicaStore.RejectedException.class, () -> s.apply(new BlockEvent(bad)));
            assertTrue(ex.getMessage().contains("checksum mismatch"), ex.getMessage());
            assertEquals(0, s.sealedLayers(disk).size());
            assertEquals("FAILED", manifestState(0));
            // Its children cannot seal either.
            int secondEnd = indexOfEnd(1);
            for (int i = firstEnd + 1; i < secondEnd; i++) {
                s.apply(events.get(i));
            }
            assertThrows(ReplicaStore.RejectedException.class, () -> s.apply(events.get(secondEnd)));
            // The right EndOfLayer (redelivered, say after the source was fixed) seals it after all.
            assertEquals(ReplicaStore.Outcome.SEALED, s.apply(events.get(firstEnd)));
            assertEquals(ReplicaStore.Outcome.SEALED, s.apply(events.get(secondEnd)));
        }
    }

    @Test
    void corruptDataAMissingRecordAndAnOrphanAreRejected() throws Exception {
        try (ReplicaStore s = store()) {
            int firstData = -1;
            for (int i = 0; i < events.size() && firstData < 0; i++) {
                if (events.get(i).getPayload() instanceof ChangedBlock) {
                    firstData = i;
                }
            }
            // A record before its StartOfLayer cannot be placed.
            int fd = firstData;
            assertThrows(ReplicaStore.RejectedException.class, () -> s.apply(events.get(fd)));
            for (int i = 0; i < firstData; i++) {
                s.apply(events.get(i));
            }
            ChangedBlock c = (ChangedBlock) events.get(firstData).getPayload();
            byte[] flipped = new byte[(int) c.getLength()];
            c.getData().duplicate().get(flipped);
            flipped[7] ^= 1;
            ChangedBlock bad = ChangedBlock.newBuilder(c).setData(ByteBuffer.wrap(flipped)).build();
            ReplicaStore.RejectedException ex = assertThrows(ReplicaStore.RejectedException.class, () -> s.apply(new BlockEvent(bad)));
            assertTrue(ex.getMessage().contains("SHA-256"), ex.getMessage());
            // Skipping that record: the next one is a gap.
            assertThrows(ReplicaStore.RejectedException.class, () -> s.apply(events.get(fd + 1)));
            int end = indexOfEnd(0);
            for (int i = firstData + 2; i < end; i++) {
                try {
                    s.apply(events.get(i));
                } catch (ReplicaStore.RejectedException expected) {
                    // every later record of the layer is a gap too
                }
            }
            assertThrows(ReplicaStore.RejectedException.class, () -> s.apply(events.get(end)));
            assertEquals(0, s.sealedLayers(disk).size());
        }
        // Redelivering the whole layer from its StartOfLayer repairs it.
        try (ReplicaStore s = store()) {
            for (BlockEvent e : events) {
                s.apply(e);
            }
        }
        assertReplicaEqualsSource();
    }

    /** Issue 9.7: records of disks the replica does not have are rejected without leaving anything in memory. */
    @Test
    void recordsOfUnknownDisksLeaveNothingBehind() throws Exception {
        int firstData = 0;
        while (!(events.get(firstData).getPayload() instanceof ChangedBlock)) {
            firstData++;
        }
        ChangedBlock c = (ChangedBlock) events.get(firstData).getPayload();
        try (ReplicaStore s = store()) {
            for (int i = 0; i < 50; i++) {
                BlockEvent orphan = new BlockEvent(ChangedBlock.newBuilder(c).setDiskId("no-such-disk-" + i).build());
                assertThrows(ReplicaStore.RejectedException.class, () -> s.apply(orphan));
            }
            assertEquals(0, s.knownDisks(), "50 unknown disk ids rejected");
            for (BlockEvent e : events) {
                s.apply(e);
            }
            assertEquals(1, s.knownDisks());
        }
        assertReplicaEqualsSource();
    }

    /**
     * Issue 9.7: a store replicating more disks than it keeps loaded forgets the idle ones (least recently used) and
     * loads them again from their manifests when records come: everything delivered again is recognised as applied.
     * Without the bound the store kept all 5.
     */
    @Test
    void idleDisksBeyondTheBoundAreForgottenAndLoadAgain() throws Exception {
        Path root = tmp.resolve("many");
        List<List<Path>> chains = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            chains.add(TestChains.engineChain(root.resolve("vm" + i), "x", 4 * TestChains.MIB, TestChains.MIB / 2, 2, 70 + i));
        }
        List<BlockEvent> all = new ArrayList<>();
        for (SourceRecord r : SourceHarness.emitAll(Map.of(VhdSourceConnectorConfig.ROOTS_CONFIG, root.toString()))) {
            all.add(BlockEvents.fromConnect(r.value()));
        }
        Path replica = tmp.resolve("many-replica");
        try (ReplicaStore s = new ReplicaStore(replica, 4, 2)) {
            for (BlockEvent e : all) {
                s.apply(e);
                assertTrue(s.knownDisks() <= 2, s.knownDisks() + " disks loaded");
            }
            for (BlockEvent e : all) {   // delivered again: every disk loads again from its files
                ReplicaStore.Outcome o = s.apply(e);
                assertTrue(o == ReplicaStore.Outcome.IGNORED_SEALED, o + " for " + e);
            }
            assertTrue(s.knownDisks() <= 2);
            assertEquals(0, s.layersOpen());
        }
        try (ReplicaStore s = new ReplicaStore(replica, 4)) {
            for (int i = 0; i < 5; i++) {
                List<Path> sealed = s.sealedLayers(io.vhdstream.connector.ConnectTestSupport.uniqueId(chains.get(i).get(0)).toString());
                assertEquals(2, sealed.size());
                if (i == 0) {   // evicted between its layers and loaded again: the chain it built is whole
                    assertEquals(-1, TestChains.compareExports(chains.get(i).get(1), sealed.get(1), tmp));
                }
            }
        }
    }

    @Test
    void aLayerWhoseParentWasNeverReceivedIsRejected() throws Exception {
        int secondStart = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).getPayload() instanceof StartOfLayer st && st.getLayerIndex() == 1) {
                secondStart = i;
            }
        }
        int at = secondStart;
        try (ReplicaStore s = store()) {
            ReplicaStore.RejectedException ex = assertThrows(ReplicaStore.RejectedException.class, () -> s.apply(events.get(at)));
            assertTrue(ex.getMessage().contains("names parent"), ex.getMessage());
        }
    }

    private int indexOfEnd(int layer) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).getPayload() instanceof EndOfLayer e && e.getLayerIndex() == layer) {
                return i;
            }
        }
        throw new AssertionError("no EndOfLayer for layer " + layer);
    }

    private String manifestState(int index) throws IOException {
        Path dir = tmp.resolve("replica").resolve(disk);
        try (var s = Files.list(dir)) {
            Path m = s.filter(p -> p.getFileName().toString().startsWith(String.format("%04d-", index))
                    && p.getFileName().toString().endsWith(".manifest")).findFirst().orElseThrow();
            return LayerManifest.read(m).state().name();
        }
    }
}
