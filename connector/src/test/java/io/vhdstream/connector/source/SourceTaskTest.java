package io.vhdstream.connector.source;

import io.vhdstream.connector.FakeContexts;
import io.vhdstream.connector.TestChains;
import io.vhdstream.schemas.common.NameEncoding;
import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.connector.offset.LayerOffset;
import io.vhdstream.connector.sink.VhdReplicaSinkConnectorConfig;
import io.vhdstream.connector.sink.VhdReplicaSinkTask;
import io.vhdstream.schemas.LayerDigest;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.ChangedBlock;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.block.LayersMerged;
import io.vhdstream.schemas.block.SourceError;
import io.vhdstream.schemas.block.SourceErrorCodes;
import io.vhdstream.schemas.block.StartOfLayer;
import io.vhdstream.schemas.block.ZeroExtent;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.VhdImage;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives the source task directly (no worker), and the replica sink task with what it emits. */
class SourceTaskTest {
    private static final long SIZE = 48 * TestChains.MIB;

    @TempDir
    Path tmp;

    private Map<String, String> props(Path root, String... kv) {
        Map<String, String> p = new HashMap<>();
        p.put(VhdSourceConnectorConfig.ROOTS_CONFIG, root.toString());
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    static List<BlockEvent> events(List<SourceRecord> records, String topic) {
        List<BlockEvent> out = new ArrayList<>();
        for (SourceRecord r : records) {
            if (r.topic().equals(topic)) {
                out.add(BlockEvents.fromConnect(r.value()));
            }
        }
        return out;
    }

    @Test
    void emitsSealedLayersBaseFirstAndTheReplicaExportsTheSameBytes() throws Exception {
        Path root = tmp.resolve("root");
        List<Path> chain = TestChains.engineChain(root.resolve("vm1"), "disk", SIZE, 2 * TestChains.MIB, 2, 1);
        UUID baseId;
        try (VhdImage b = VhdImage.open(chain.get(0))) {
            baseId = b.footer().uniqueId();
        }
        int chunk = 128 * 1024;
        List<SourceRecord> records;
        try (SourceHarness h = new SourceHarness(props(root, VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, Integer.toString(chunk)), null, false)) {
            records = h.drain(3);
        }
        List<BlockEvent> ev = events(records, VhdSourceConnectorConfig.TOPIC_DEFAULT);
        assertEquals(ev.size(), records.size(), "no error records for a healthy chain");
        for (SourceRecord r : records) {
            assertEquals(baseId.toString(), r.key(), "keyed by disk id (a foreign chain's base unique id)");
            assertEquals(Map.of(LayerOffset.PARTITION_DISK, baseId.toString()), r.sourcePartition());
        }
        // Two sealed layers (base and layer 1); the active leaf (layer 2) is not read.
        List<Integer> starts = new ArrayList<>();
        int zeros = 0;
        long expectedIndex = 0;
        long lastEnd = -1;
        LayerDigest digest = null;
        for (BlockEvent e : ev) {
            Object p = e.getPayload();
            if (p instanceof StartOfLayer s) {
                starts.add(s.getLayerIndex());
                assertEquals(SIZE, s.getVirtualSize());
                assertEquals(s.getLayerIndex() == 0, s.getParentUniqueId() == null);
                expectedIndex = 0;
                lastEnd = -1;
                digest = new LayerDigest();
            } else if (p instanceof ChangedBlock c) {
                assertEquals(expectedIndex++, c.getExtentIndex());
                assertTrue(c.getOffset() >= lastEnd, "offset order");
                assertTrue(c.getLength() <= chunk && c.getLength() > 0 && c.getLength() % 512 == 0);
                assertEquals(c.getOffset() / chunk, (c.getOffset() + c.getLength() - 1) / chunk, "never crosses a chunk boundary");
                assertFalse(isZero(c.getData().duplicate()), "all-zero chunks travel as ZeroExtent");
                assertArrayEquals(digest.changedBlock(c.getOffset(), c.getData()), c.getSha256().bytes());
                lastEnd = c.getOffset() + c.getLength();
            } else if (p instanceof ZeroExtent z) {
                assertEquals(expectedIndex++, z.getExtentIndex());
                assertTrue(z.getOffset() >= lastEnd);
                digest.zeroExtent(z.getOffset(), z.getLength());
                lastEnd = z.getOffset() + z.getLength();
                zeros++;
            } else if (p instanceof EndOfLayer end) {
                assertEquals(expectedIndex, end.getExtentCount());
                assertTrue(digest.finish().matches(end), "EndOfLayer digests match the records");
            }
        }
        assertEquals(List.of(0, 1), starts);
        assertTrue(zeros >= 2, "each layer's all-zero write became a ZeroExtent");
        assertInstanceOf(EndOfLayer.class, ev.get(ev.size() - 1).getPayload());

        Path replica = tmp.resolve("replica");
        FakeContexts.Sink sink = replicate(replica, records, true);
        assertTrue(sink.reported.isEmpty(), () -> "nothing rejected: " + sink.reported);
        Path top = replicaTop(replica, baseId.toString());
        assertTrue(top.getFileName().toString().startsWith("0001-"));
        assertEquals(-1, TestChains.compareExports(chain.get(1), top, tmp), "replica export equals the source chain's");
    }

    @Test
    void aRestartAtAnyRecordContinuesWithNoGapAndNoDuplicate() throws Exception {
        Path root = tmp.resolve("root");
        TestChains.engineChain(root.resolve("d"), "x", SIZE, 2 * TestChains.MIB, 2, 2);
        Map<String, String> p = props(root, VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "65536",
                VhdSourceConnectorConfig.RECORD_FORMAT_CONFIG, "avro", VhdSourceConnectorConfig.POLL_MAX_BYTES_CONFIG, "200000");
        List<SourceRecord> all;
        try (SourceHarness h = new SourceHarness(p, null, false)) {
            all = h.drain(3);
        }
        assertTrue(all.size() > 40, "enough records to cut: " + all.size());
        int n = all.size();
        for (int cut : new int[] {1, 2, 3, n / 3, n / 2, n / 2 + 1, n - 2, n - 1, n}) {
            List<SourceRecord> rest;
            try (SourceHarness h = new SourceHarness(p, SourceHarness.offsetsAfter(all.subList(0, cut)), false)) {
                rest = h.drain(3);
            }
            List<SourceRecord> expected = all.subList(cut, n);
            assertEquals(expected.size(), rest.size(), "records after a restart at " + cut);
            for (int i = 0; i < rest.size(); i++) {
                assertArrayEquals((byte[]) expected.get(i).value(), (byte[]) rest.get(i).value(), "record " + (cut + i));
                assertEquals(expected.get(i).sourceOffset(), rest.get(i).sourceOffset());
            }
        }
    }

    @Test
    void aChangedChunkSizeDoesNotChangeALayerHalfEmitted() throws Exception {
        Path root = tmp.resolve("root");
        TestChains.engineChain(root.resolve("d"), "x", SIZE, 2 * TestChains.MIB, 2, 3);
        Map<String, String> p = props(root, VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "65536",
                VhdSourceConnectorConfig.RECORD_FORMAT_CONFIG, "avro");
        List<SourceRecord> all;
        try (SourceHarness h = new SourceHarness(p, null, false)) {
            all = h.drain(3);
        }
        int cut = all.size() / 4; // inside the base layer
        Map<String, String> p2 = new HashMap<>(p);
        p2.put(VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "524288");
        List<SourceRecord> rest;
        try (SourceHarness h = new SourceHarness(p2, SourceHarness.offsetsAfter(all.subList(0, cut)), false)) {
            rest = h.drain(3);
        }
        List<BlockEvent> joined = events(new ArrayList<>(Stream.concat(all.subList(0, cut).stream(), rest.stream()).toList()),
                VhdSourceConnectorConfig.TOPIC_DEFAULT);
        Path replica = tmp.resolve("replica");
        FakeContexts.Sink sink = replicate(replica, Stream.concat(all.subList(0, cut).stream(), rest.stream()).toList(), false);
        assertTrue(sink.reported.isEmpty(), () -> "nothing rejected: " + sink.reported);
        long bigChunks = joined.stream().filter(e -> e.getPayload() instanceof ChangedBlock c && c.getLength() > 65536).count();
        assertTrue(bigChunks > 0, "the next layer uses the new chunk size");
    }

    @Test
    void withConnectorTransactionsEachLayerCommitsOnItsEndOfLayer() throws Exception {
        Path root = tmp.resolve("root");
        TestChains.engineChain(root.resolve("d"), "x", SIZE, 2 * TestChains.MIB, 2, 4);
        Files.write(root.resolve("garbage.vhd"), new byte[4096]);
        // Layers far below the transaction bounds: one transaction each.
        Map<String, String> p = props(root, VhdSourceConnectorConfig.COMMIT_MAX_MS_CONFIG, "3600000");
        try (SourceHarness h = new SourceHarness(p, null, true)) {
            List<SourceRecord> all = h.drain(4);
            List<Object> commits = h.context.commitRequests;
            List<SourceRecord> ends = all.stream().filter(r -> r.topic().equals(VhdSourceConnectorConfig.TOPIC_DEFAULT)
                    && BlockEvents.fromConnect(r.value()).getPayload() instanceof EndOfLayer).toList();
            List<SourceRecord> errors = all.stream().filter(r -> r.topic().equals(VhdSourceConnectorConfig.ERRORS_TOPIC_DEFAULT)).toList();
            assertEquals(2, ends.size());
            assertEquals(1, errors.size());
            assertEquals(3, commits.size(), "one commit per layer and one for the error batch");
            for (SourceRecord e : ends) {
                assertTrue(commits.stream().anyMatch(c -> c == e), "commit requested on the EndOfLayer record itself");
            }
            // No record of a layer follows its commit point inside the same transaction: the committed record is the
            // last of its layer.
            int lastCommitted = -1;
            for (Object c : commits) {
                int at = indexOfSame(all, c);
                assertTrue(at > lastCommitted);
                lastCommitted = at;
            }
            assertEquals(all.size() - 1, lastCommitted, "nothing is left outside a committed transaction");
        }
    }

    @Test
    void aLayerIsCommittedInTransactionsOfBoundedSizeAndAnAbortResumesAfterTheLastCommit() throws Exception {
        Path root = tmp.resolve("root");
        List<Path> chain = TestChains.engineChain(root.resolve("d"), "x", SIZE, 2 * TestChains.MIB, 1, 8);
        Map<String, String> p = props(root, VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "16384",
                VhdSourceConnectorConfig.POLL_MAX_BYTES_CONFIG, "40000", VhdSourceConnectorConfig.COMMIT_MAX_BYTES_CONFIG, "100000",
                VhdSourceConnectorConfig.COMMIT_MAX_MS_CONFIG, "3600000", VhdSourceConnectorConfig.RECORD_FORMAT_CONFIG, "avro");
        List<SourceRecord> all;
        try (SourceHarness h = new SourceHarness(p, null, false)) {
            all = h.drain(3);
        }
        byte[] original = Files.readAllBytes(chain.get(0));
        try (SourceHarness h = new SourceHarness(p, null, true)) {
            List<SourceRecord> first = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 60_000;
            while (h.context.commitRequests.size() < 3) {
                assertTrue(System.currentTimeMillis() < deadline, "three commits inside the layer");
                List<SourceRecord> b = h.task.poll();
                if (b != null) {
                    first.addAll(b);
                }
            }
            // Commits end batches that stay within commit.max.bytes (plus one chunk), in the middle of the layer.
            int from = 0;
            for (Object c : h.context.commitRequests) {
                int at = indexOfSame(first, c);
                long bytes = first.subList(from, at + 1).stream()
                        .mapToLong(r -> BlockEvents.fromConnect(r.value()).getPayload() instanceof ChangedBlock cb ? cb.getLength() : 0)
                        .sum();
                assertTrue(bytes > 0 && bytes <= 100_000 + 16384, "transaction of " + bytes + " bytes");
                assertFalse(BlockEvents.fromConnect(((SourceRecord) c).value()).getPayload() instanceof EndOfLayer);
                from = at + 1;
            }
            // The base breaks: what was sent since the last commit is aborted; once it is readable again the layer
            // goes on from the last committed record (no StartOfLayer, nothing repeated, nothing skipped).
            try (var ch = java.nio.channels.FileChannel.open(chain.get(0), java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2);
            }
            while (h.context.abortRequests.isEmpty()) {
                assertTrue(System.currentTimeMillis() < deadline, "the break is noticed");
                List<SourceRecord> b = h.task.poll();
                if (b != null) {
                    first.addAll(b);
                }
            }
            int aborted = indexOfSame(first, h.context.abortRequests.get(0));
            int committed = -1;
            for (Object c : h.context.commitRequests) {
                int at = indexOfSame(first, c);
                if (at < aborted) {
                    committed = Math.max(committed, at);
                }
            }
            // (Whether records were sent between the last commit and the break depends on how far the reader had read
            // ahead when the file was cut; ExactlyOnceWorkerTest aborts such records on a real worker.)
            assertTrue(committed >= 0, "a commit before the break");
            Files.write(chain.get(0), original);
            List<SourceRecord> rest = h.drain(5);
            List<SourceRecord> delivered = new ArrayList<>(first.subList(0, committed + 1));
            delivered.addAll(rest.stream().filter(r -> r.topic().equals(VhdSourceConnectorConfig.TOPIC_DEFAULT)).toList());
            assertEquals(all.size(), delivered.size());
            for (int i = 0; i < all.size(); i++) {
                assertArrayEquals((byte[]) all.get(i).value(), (byte[]) delivered.get(i).value(), "record " + i);
            }
            assertSame(delivered.get(delivered.size() - 1), h.context.commitRequests.get(h.context.commitRequests.size() - 1));
        }
    }

    @Test
    void aSlowCommitMakesTheNextTransactionsSmaller() throws Exception {
        Path root = tmp.resolve("root");
        TestChains.engineChain(root.resolve("d"), "x", SIZE, 2 * TestChains.MIB, 1, 8);
        Map<String, String> p = props(root, VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "16384",
                VhdSourceConnectorConfig.POLL_MAX_BYTES_CONFIG, "65536", VhdSourceConnectorConfig.COMMIT_MAX_BYTES_CONFIG, "1048576",
                VhdSourceConnectorConfig.COMMIT_MAX_MS_CONFIG, "200", "producer.override.transaction.timeout.ms", "1000");
        try (SourceHarness h = new SourceHarness(p, null, true)) {
            List<SourceRecord> seen = new ArrayList<>();
            while (h.context.commitRequests.size() < 1) {
                seen.addAll(Objects.requireNonNullElse(h.task.poll(), List.of()));
            }
            long first = dataBytes(seen);
            Thread.sleep(800); // the worker took 800 ms to send and commit it (of a 1000 ms transaction timeout)
            h.task.commitRecord((SourceRecord) h.context.commitRequests.get(0), null);
            int from = seen.size();
            while (h.context.commitRequests.size() < 2) {
                seen.addAll(Objects.requireNonNullElse(h.task.poll(), List.of()));
            }
            long second = dataBytes(seen.subList(from, seen.size()));
            // What fits in commit.max.ms at the rate the first one went: at most a quarter of it, plus one chunk.
            assertTrue(second <= first / 4 + 16384, "first " + first + " bytes, then " + second);
        }
    }

    private static long dataBytes(List<SourceRecord> records) {
        return records.stream().mapToLong(r -> BlockEvents.fromConnect(r.value()).getPayload() instanceof ChangedBlock c ? c.getLength() : 0)
                .sum();
    }

    @Test
    void aLayerThatBreaksHalfwayAbortsItsTransactionAndIsReportedOnce() throws Exception {
        Path root = tmp.resolve("root");
        List<Path> chain = TestChains.engineChain(root.resolve("d"), "x", SIZE, 2 * TestChains.MIB, 1, 8);
        Map<String, String> p = props(root, VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "4096",
                VhdSourceConnectorConfig.POLL_MAX_BYTES_CONFIG, "8192");
        try (SourceHarness h = new SourceHarness(p, null, true)) {
            List<SourceRecord> first = new ArrayList<>();
            while (first.size() < 10) {
                List<SourceRecord> b = h.task.poll();
                if (b != null) {
                    first.addAll(b);
                }
            }
            // The base loses its second half (and footer) while it is being emitted.
            try (var ch = java.nio.channels.FileChannel.open(chain.get(0), java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2);
            }
            List<SourceRecord> rest = h.drain(5);
            List<Object> aborts = h.context.abortRequests;
            assertEquals(1, aborts.size(), "the open transaction (with the layer's first records) is aborted");
            SourceRecord aborted = (SourceRecord) aborts.get(0);
            assertEquals(VhdSourceConnectorConfig.ERRORS_TOPIC_DEFAULT, aborted.topic());
            List<SourceRecord> errors = rest.stream().filter(r -> r.topic().equals(VhdSourceConnectorConfig.ERRORS_TOPIC_DEFAULT)).toList();
            assertTrue(errors.size() >= 2, "the error again, after the abort");
            assertSame(errors.get(0), aborted);
            SourceRecord resent = errors.get(1);
            assertEquals(BlockEvents.fromConnect(aborted.value()), BlockEvents.fromConnect(resent.value()));
            assertTrue(h.context.commitRequests.stream().anyMatch(c -> c == resent), "the copy is committed");
            assertTrue(rest.stream().noneMatch(r -> r.topic().equals(VhdSourceConnectorConfig.TOPIC_DEFAULT)
                    && BlockEvents.fromConnect(r.value()).getPayload() instanceof EndOfLayer), "the broken layer never ends");
        }
    }

    @Test
    void includeActiveLayerEmitsTheLeafAndThenGivesUpExactlyOnce() throws Exception {
        Path root = tmp.resolve("root");
        List<Path> chain = TestChains.engineChain(root.resolve("d"), "x", SIZE, 2 * TestChains.MIB, 2, 5);
        List<SourceRecord> records;
        try (SourceHarness h = new SourceHarness(props(root, VhdSourceConnectorConfig.INCLUDE_ACTIVE_LAYER_CONFIG, "true"), null, false)) {
            records = h.drain(3);
        }
        long starts = events(records, VhdSourceConnectorConfig.TOPIC_DEFAULT).stream()
                .filter(e -> e.getPayload() instanceof StartOfLayer).count();
        assertEquals(3, starts);
        Path replica = tmp.resolve("replica");
        replicate(replica, records, false);
        String disk = records.get(0).key().toString();
        assertEquals(-1, TestChains.compareExports(chain.get(2), replicaTop(replica, disk), tmp));

        VhdSourceConnector c = new VhdSourceConnector();
        assertEquals(ExactlyOnceSupport.UNSUPPORTED, c.exactlyOnceSupport(Map.of(VhdSourceConnectorConfig.INCLUDE_ACTIVE_LAYER_CONFIG, "true")));
        assertEquals(ExactlyOnceSupport.SUPPORTED, c.exactlyOnceSupport(Map.of()));
        // Validation refuses the pair with a message on the key that causes it, naming both keys.
        Files.createDirectories(root);
        Map<String, String> both = props(root, VhdSourceConnectorConfig.INCLUDE_ACTIVE_LAYER_CONFIG, "true",
                "exactly.once.support", "required");
        List<String> errors = c.validate(both).configValues().stream()
                .filter(v -> v.name().equals(VhdSourceConnectorConfig.INCLUDE_ACTIVE_LAYER_CONFIG))
                .flatMap(v -> v.errorMessages().stream()).toList();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("include.active.layer=true") && errors.get(0).contains("exactly.once.support=required"),
                errors.get(0));
        both.put("exactly.once.support", "requested");
        assertTrue(c.validate(both).configValues().stream().allMatch(v -> v.errorMessages().isEmpty()));
    }

    @Test
    void disksAreSpreadOverTasksAndNewDisksArePickedUp() throws Exception {
        Path root = tmp.resolve("root");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            List<Path> c = TestChains.engineChain(root.resolve("vm" + i), "d", 8 * TestChains.MIB, 512 * 1024, 1, 10 + i);
            try (VhdImage b = VhdImage.open(c.get(0))) {
                ids.add(b.footer().uniqueId().toString());
            }
        }
        int tasks = 3;
        Set<String> seen = new HashSet<>();
        List<SourceHarness> harnesses = new ArrayList<>();
        try {
            for (int t = 0; t < tasks; t++) {
                SourceHarness h = new SourceHarness(props(root, VhdSourceConnectorConfig.TASK_ID_CONFIG, Integer.toString(t),
                        VhdSourceConnectorConfig.TASK_COUNT_CONFIG, Integer.toString(tasks)), null, false);
                harnesses.add(h);
                Set<String> mine = h.drain(3).stream().map(r -> r.key().toString()).collect(Collectors.toSet());
                for (String d : mine) {
                    assertEquals(t, SourceDisks.owner(d, tasks));
                    assertTrue(seen.add(d), "disk " + d + " emitted by two tasks");
                }
            }
            assertEquals(new TreeSet<>(ids), new TreeSet<>(seen));

            // A new disk appears while the tasks run: its owner emits it at its next scan.
            List<Path> c = TestChains.engineChain(root.resolve("vm-new"), "d", 8 * TestChains.MIB, 512 * 1024, 1, 99);
            String newId;
            try (VhdImage b = VhdImage.open(c.get(0))) {
                newId = b.footer().uniqueId().toString();
            }
            int owner = SourceDisks.owner(newId, tasks);
            for (int t = 0; t < tasks; t++) {
                Set<String> got = harnesses.get(t).drain(3).stream().map(r -> r.key().toString()).collect(Collectors.toSet());
                assertEquals(t == owner ? Set.of(newId) : Set.of(), got, "task " + t);
            }
        } finally {
            harnesses.forEach(SourceHarness::close);
        }
    }

    @Test
    void aLayerDirectoryEmitsTheLayersItsSealedFileLists() throws Exception {
        Path root = tmp.resolve("layers");
        String diskId = "vm 7/α";
        Path dir = root.resolve(NameEncoding.diskDir(diskId));
        Files.createDirectories(dir);
        VhdCreator.dynamic(dir.resolve("base.vhd"), SIZE, 2 * TestChains.MIB);
        Random r = new Random(7);
        TestChains.fill(dir.resolve("base.vhd"), SIZE, r);
        VhdCreator.differencing(dir.resolve("0001-s1.vhd"), dir.resolve("base.vhd"));
        TestChains.fill(dir.resolve("0001-s1.vhd"), SIZE, r);
        VhdCreator.differencing(dir.resolve("0002-s2.vhd"), dir.resolve("0001-s1.vhd"));
        TestChains.fill(dir.resolve("0002-s2.vhd"), SIZE, r);
        Files.writeString(dir.resolve("state"), "whatever the topology keeps\n");
        // Layer 2 is sealed too, but its line is still being appended (no newline yet): not sealed for us.
        Files.writeString(dir.resolve("sealed"), "0 base.vhd s1 10\n1 0001-s1.vhd s2 20\n2 0002-s2.vhd s3");
        List<SourceRecord> records;
        try (SourceHarness h = new SourceHarness(props(root), null, false)) {
            records = h.drain(3);
            assertEquals(Set.of(diskId), records.stream().map(x -> x.key().toString()).collect(Collectors.toSet()));
            List<String> files = events(records, VhdSourceConnectorConfig.TOPIC_DEFAULT).stream()
                    .filter(e -> e.getPayload() instanceof StartOfLayer).map(e -> ((StartOfLayer) e.getPayload()).getLayerFile()).toList();
            assertEquals(List.of("base.vhd", "0001-s1.vhd"), files);

            Files.writeString(dir.resolve("sealed"), "\n", java.nio.file.StandardOpenOption.APPEND);
            List<SourceRecord> more = h.drain(3);
            List<BlockEvent> ev = events(more, VhdSourceConnectorConfig.TOPIC_DEFAULT);
            assertEquals("0002-s2.vhd", ((StartOfLayer) ev.get(0).getPayload()).getLayerFile(), "the completed line seals layer 2");
            records = new ArrayList<>(records);
            records.addAll(more);
        }
        Path replica = tmp.resolve("replica");
        replicate(replica, records, false);
        assertEquals(-1, TestChains.compareExports(dir.resolve("0002-s2.vhd"), replicaTop(replica, diskId), tmp));
    }

    @Test
    void theFeedFollowsRetentionMergesWithoutRepeatingOrLosingAChange() throws Exception {
        Path root = tmp.resolve("layers");
        String diskId = "vm-merge";
        Path dir = root.resolve(NameEncoding.diskDir(diskId));
        List<Path> files = TestChains.layerDirectory(dir, SIZE, 5, new Random(9));
        Path expected = tmp.resolve("expected-top.vhd");
        // The source, caught up with layers 0..4; then retention merges 1..2 into the base and layer 5 is sealed.
        List<SourceRecord> before;
        Map<Map<String, ?>, Map<String, Object>> stored;
        try (SourceHarness h = new SourceHarness(props(root), null, false)) {
            before = h.drain(3);
        }
        stored = SourceHarness.offsetsAfter(before);
        UUID layer4 = ConnectTestSupportIds.id(files.get(4));
        UUID baseId = ConnectTestSupportIds.id(files.get(0));
        mergeLayersOneAndTwoIntoTheBase(dir, files);
        Files.writeString(dir.resolve("sealed"), TestChains.sealedLine(files, 5), java.nio.file.StandardOpenOption.APPEND);

        List<SourceRecord> after;
        try (SourceHarness h = new SourceHarness(props(root), stored, false)) {
            after = h.drain(3);
        }
        List<StartOfLayer> starts = events(after, VhdSourceConnectorConfig.TOPIC_DEFAULT).stream()
                .filter(e -> e.getPayload() instanceof StartOfLayer).map(e -> (StartOfLayer) e.getPayload()).toList();
        assertEquals(1, starts.size(), "only the new layer: nothing merged is sent again");
        assertEquals(5, starts.get(0).getLayerIndex());
        assertEquals("s6", starts.get(0).getSnapshotId(), "the snapshot the layer captures");
        List<BlockEvent> afterEvents = events(after, VhdSourceConnectorConfig.TOPIC_DEFAULT);
        LayersMerged merge = assertInstanceOf(LayersMerged.class, afterEvents.get(0).getPayload(),
                "the merge is announced before the next layer");
        assertEquals(List.of(1, 2, "s3", baseId), List.of(merge.getFromLayerIndex(), merge.getToLayerIndex(),
                merge.getSnapshotId(), io.vhdstream.schemas.common.Uuids.toUuid(merge.getBaseUniqueId())));
        assertEquals(1, afterEvents.stream().filter(e -> e.getPayload() instanceof LayersMerged).count());
        List<SourceRecord> all = new ArrayList<>(before);
        all.addAll(after);
        Path replica = tmp.resolve("replica");
        replicate(replica, all, false);
        assertEquals(-1, TestChains.compareExports(files.get(5), replicaTop(replica, diskId), tmp), "the replica follows");
        Path replicaDisk = replica.resolve(NameEncoding.diskDir(diskId));
        try (Stream<Path> names = Files.list(replicaDisk)) {
            List<String> n = names.map(x -> x.getFileName().toString()).sorted().toList();
            assertTrue(n.stream().anyMatch(x -> x.startsWith("0005@s6-") && x.endsWith(".vhd")), n.toString());
            assertTrue(n.stream().anyMatch(x -> x.startsWith("0000@s1-") && x.endsWith(".manifest")), n.toString());
            // The replica applied the same retention: layers 1 and 2 are in its base, their files gone.
            assertEquals(List.of("0000", "0003", "0004", "0005"), n.stream().filter(x -> x.endsWith(".vhd"))
                    .map(x -> x.substring(0, 4)).toList(), n.toString());
            assertFalse(n.contains(ReplicaStoreMergeNames.JOURNAL), n.toString());
        }
        try (io.vhdstream.vhd.chain.VhdChain c = io.vhdstream.vhd.chain.VhdChain.open(replicaTop(replica, diskId),
                io.vhdstream.vhd.chain.ChainOptions.forImage(replicaTop(replica, diskId)), false)) {
            assertEquals(4, c.layers().size(), "base, 3, 4, 5: the replica chain is as deep as the source's");
        }
        // Sent again (a redelivery after a crash), everything is recognised: nothing changes.
        replicate(replica, all, false);
        assertEquals(-1, TestChains.compareExports(files.get(5), replicaTop(replica, diskId), tmp));
        // Layer 3 of the replica now reads as snapshot s4 through the merged base, as the source's does.
        try (Stream<Path> names = Files.list(replicaDisk)) {
            Path r3 = names.filter(x -> x.getFileName().toString().startsWith("0003@") && x.toString().endsWith(".vhd"))
                    .findFirst().orElseThrow();
            assertEquals(-1, TestChains.compareExports(files.get(3), r3, tmp));
        }

        // A new connector (no offsets) sends the merged base, then 3, 4, 5: layer 3's parent is the base now.
        List<SourceRecord> fresh;
        try (SourceHarness h = new SourceHarness(props(root), null, false)) {
            fresh = h.drain(3);
        }
        List<StartOfLayer> fs = events(fresh, VhdSourceConnectorConfig.TOPIC_DEFAULT).stream()
                .filter(e -> e.getPayload() instanceof StartOfLayer).map(e -> (StartOfLayer) e.getPayload()).toList();
        assertEquals(List.of(0, 3, 4, 5), fs.stream().map(StartOfLayer::getLayerIndex).toList());
        assertNotNull(fs.get(0).getResync(), "no offset and a base holding merged layers: the base goes as a resync");
        assertTrue(events(fresh, VhdSourceConnectorConfig.TOPIC_DEFAULT).stream().noneMatch(e -> e.getPayload() instanceof LayersMerged),
                "a feed that got the base merged already hears of no merge");
        assertEquals(baseId, io.vhdstream.schemas.common.Uuids.toUuid(fs.get(1).getParentUniqueId()));
        assertEquals("s3", fs.get(0).getSnapshotId(), "the merged base holds snapshot s3 (layer 2's)");
        Path replica2 = tmp.resolve("replica2");
        replicate(replica2, fresh, false);
        assertEquals(-1, TestChains.compareExports(files.get(5), replicaTop(replica2, diskId), tmp));

        // A feed that stopped before the merged layers (it sent 0 and 1; 2 is only in the base now) resyncs by itself:
        // the whole disk from its base, marked as a resync at snapshot s3, then 3, 4, 5; no error, one resync counted.
        List<SourceRecord> sentBefore = before.subList(0, indexOfEnd(before, 1) + 1);
        Map<Map<String, ?>, Map<String, Object>> behind = SourceHarness.offsetsAfter(sentBefore);
        List<SourceRecord> resynced;
        try (SourceHarness h = new SourceHarness(props(root), behind, false)) {
            resynced = h.drain(3);
            assertEquals(1L, ((Number) h.context.metric("source-resyncs-total")).longValue());
            assertEquals(List.of(), h.drain(3), "the resync is sent once");
            assertEquals(1L, ((Number) h.context.metric("source-resyncs-total")).longValue());
        }
        assertEquals(List.of(), events(resynced, VhdSourceConnectorConfig.ERRORS_TOPIC_DEFAULT));
        List<StartOfLayer> rs = events(resynced, VhdSourceConnectorConfig.TOPIC_DEFAULT).stream()
                .filter(e -> e.getPayload() instanceof StartOfLayer).map(e -> (StartOfLayer) e.getPayload()).toList();
        assertEquals(List.of(0, 3, 4, 5), rs.stream().map(StartOfLayer::getLayerIndex).toList());
        io.vhdstream.schemas.block.Resync mark = rs.get(0).getResync();
        assertNotNull(mark, "the base is marked as a resync");
        assertEquals(List.of(2, 2, "s3"), List.of(mark.getLevel(), mark.getLostFromLayerIndex(), rs.get(0).getSnapshotId()));
        assertTrue(mark.getReason().contains("layers 2..2"), mark.getReason());
        assertTrue(rs.subList(1, 4).stream().allMatch(x -> x.getResync() == null));
        assertEquals(baseId, io.vhdstream.schemas.common.Uuids.toUuid(rs.get(1).getParentUniqueId()));
        // The replica that had 0 and 1 replaces its chain with the resynced base and follows: it equals the source at s3..s6.
        List<SourceRecord> lagging = new ArrayList<>(sentBefore);
        lagging.addAll(resynced);
        Path replica3 = tmp.resolve("replica3");
        replicate(replica3, lagging, false);
        Path r3 = replica3.resolve(NameEncoding.diskDir(diskId));
        try (Stream<Path> names = Files.list(r3)) {
            List<String> n = names.map(x -> x.getFileName().toString()).sorted().toList();
            assertEquals(List.of("0000", "0003", "0004", "0005"), n.stream().filter(x -> x.endsWith(".vhd"))
                    .map(x -> x.substring(0, 4)).toList(), n.toString());
            assertTrue(n.stream().anyMatch(x -> x.startsWith("0000@s3-") && x.endsWith(".vhd")), n.toString());
            assertEquals(8, n.size(), "a file and a manifest per layer, no staging left: " + n);
        }
        for (int i = 3; i <= 5; i++) {
            int k = i;
            Path ri;
            try (Stream<Path> names = Files.list(r3)) {
                ri = names.filter(x -> x.getFileName().toString().startsWith(String.format("%04d@", k))
                        && x.toString().endsWith(".vhd")).findFirst().orElseThrow();
            }
            assertEquals(-1, TestChains.compareExports(files.get(i), ri, tmp), "layer " + i);
        }
        assertEquals(2, io.vhdstream.connector.sink.ReplicaLayers.level(r3), "the replica's base holds layer 2's snapshot");
        // Sent again (a redelivery), the resync and the layers from before it are recognised: nothing changes.
        List<String> resyncedFiles;
        try (Stream<Path> names = Files.list(r3)) {
            resyncedFiles = names.map(x -> x.getFileName().toString()).sorted().toList();
        }
        FakeContexts.Sink again = replicate(replica3, lagging, false);
        assertEquals(List.of(), again.reported);
        try (Stream<Path> names = Files.list(r3)) {
            assertEquals(resyncedFiles, names.map(x -> x.getFileName().toString()).sorted().toList());
        }
        assertEquals(-1, TestChains.compareExports(files.get(5), replicaTop(replica3, diskId), tmp));
        assertEquals(layer4, ConnectTestSupportIds.id(files.get(4)));
        // A replica whose layer 1 FAILED (a record lost) is replaced whole by the resync: nothing FAILED is left.
        List<SourceRecord> damaged = new ArrayList<>(sentBefore);
        for (int i = 0; i < damaged.size(); i++) {
            if (BlockEvents.fromConnect(damaged.get(i).value()).getPayload() instanceof ChangedBlock c && c.getLayerIndex() == 1) {
                damaged.remove(i);
                break;
            }
        }
        Path replica4 = tmp.resolve("replica4");
        assertFalse(replicate(replica4, damaged, false).reported.isEmpty(), "layer 1 failed");
        Path r4 = replica4.resolve(NameEncoding.diskDir(diskId));
        assertTrue(io.vhdstream.connector.sink.ReplicaLayers.read(r4).stream().anyMatch(l -> l.failed()));
        assertEquals(List.of(), replicate(replica4, resynced, false).reported);
        assertTrue(io.vhdstream.connector.sink.ReplicaLayers.read(r4).stream().noneMatch(l -> l.failed()));
        assertEquals(-1, TestChains.compareExports(files.get(5), replicaTop(replica4, diskId), tmp));

        // A chain read short (layer 5 unreadable now) is no re-created disk: nothing is sent again from the base.
        Files.move(files.get(5), tmp.resolve("aside.vhd"));
        List<SourceRecord> shortChain;
        try (SourceHarness h = new SourceHarness(props(root), SourceHarness.offsetsAfter(all), false)) {
            shortChain = h.drain(3);
        }
        assertEquals(List.of(), events(shortChain, VhdSourceConnectorConfig.TOPIC_DEFAULT));
    }

    /** What retention does to a layer directory when it merges layers 1..2 into the base (docs/layer-directory.md). */
    private static void mergeLayersOneAndTwoIntoTheBase(Path dir, List<Path> files) throws IOException {
        for (int j = 1; j <= 2; j++) {
            io.vhdstream.vhd.coalesce.Coalescer.coalesce(files.get(j), io.vhdstream.vhd.chain.ChainOptions.forImage(files.get(j)),
                    io.vhdstream.vhd.ProgressListener.NONE);
            var opts = io.vhdstream.vhd.chain.ChainOptions.forImage(files.get(j + 1));
            io.vhdstream.vhd.chain.Rebaser.rebase(files.get(j + 1), files.get(0), true, opts, opts, io.vhdstream.vhd.ProgressListener.NONE);
            Files.delete(files.get(j));
        }
        Files.writeString(dir.resolve("merged"), "500 1 2\n");
    }

    @Test
    void aLayerMergedAwayBetweenTheScanAndItsReadIsNoErrorAndTheFeedResyncs() throws Exception {
        Path root = tmp.resolve("layers");
        String diskId = "vm-race";
        Path dir = root.resolve(NameEncoding.diskDir(diskId));
        List<Path> files = TestChains.layerDirectory(dir, SIZE, 5, new Random(11));
        // No scan in between: the task reads layer 1 from the chain it scanned before the merge.
        Map<String, String> p = props(root, VhdSourceConnectorConfig.SCAN_INTERVAL_MS_CONFIG, "600000");
        List<SourceRecord> sent = new ArrayList<>();
        try (SourceHarness h = new SourceHarness(p, null, false)) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (!sent.stream().anyMatch(r -> BlockEvents.fromConnect(r.value()).getPayload() instanceof EndOfLayer e
                    && e.getLayerIndex() == 0)) {
                assertTrue(System.currentTimeMillis() < deadline, "layer 0 never ended");
                List<SourceRecord> b = h.task.poll();
                if (b != null) {
                    sent.addAll(b);
                }
            }
            mergeLayersOneAndTwoIntoTheBase(dir, files);
            sent.addAll(h.drain(3));
            assertEquals(List.of(), events(sent, VhdSourceConnectorConfig.ERRORS_TOPIC_DEFAULT),
                    "a layer merged away after the scan is the feed falling behind, not a broken file");
        }
        List<SourceRecord> rest;
        try (SourceHarness h = new SourceHarness(props(root), SourceHarness.offsetsAfter(sent), false)) {
            rest = h.drain(3);
        }
        assertEquals(List.of(), events(rest, VhdSourceConnectorConfig.ERRORS_TOPIC_DEFAULT));
        List<SourceRecord> all = new ArrayList<>(sent);
        all.addAll(rest);
        assertTrue(events(all, VhdSourceConnectorConfig.TOPIC_DEFAULT).stream().anyMatch(e -> e.getPayload() instanceof StartOfLayer s
                && s.getLayerIndex() == 0 && s.getResync() != null), "the disk is resynced from its merged base");
        Path replica = tmp.resolve("replica-race");
        replicate(replica, all, false);
        assertEquals(-1, TestChains.compareExports(files.get(4), replicaTop(replica, diskId), tmp), "the replica follows");
    }

    /**
     * A merge announcement waits behind the errors found in the same turn: one disk's layer fails to open (a new error)
     * just before another disk's merge is to be announced, and the errors go out first. The announcement was then
     * dropped by the next turn (the disk's progress already said it was told), and the replica never heard of the merge.
     */
    @Test
    void aMergeAnnouncementWaitingBehindAnErrorIsStillSent() throws Exception {
        Path root = tmp.resolve("layers");
        long size = 8 * TestChains.MIB;
        // vm-3 was sent up to layer 4; then retention merged 1..2 into its base.
        Path merging = root.resolve(NameEncoding.diskDir("vm-3"));
        List<Path> files = TestChains.layerDirectory(merging, size, 5, new Random(21));
        Map<Map<String, ?>, Map<String, Object>> stored;
        try (SourceHarness h = new SourceHarness(props(root), null, false)) {
            stored = SourceHarness.offsetsAfter(h.drain(3));
        }
        mergeLayersOneAndTwoIntoTheBase(merging, files);
        // Two new disks take their turns before it: vm-1 is sent, and vm-2's base goes missing after the scan.
        TestChains.layerDirectory(root.resolve(NameEncoding.diskDir("vm-1")), size, 1, new Random(22));
        List<Path> broken = TestChains.layerDirectory(root.resolve(NameEncoding.diskDir("vm-2")), size, 1, new Random(23));
        Map<String, String> p = props(root, VhdSourceConnectorConfig.SCAN_INTERVAL_MS_CONFIG, "600000");
        try (SourceHarness h = new SourceHarness(p, stored, false)) {
            List<SourceRecord> sent = new ArrayList<>();
            while (sent.isEmpty()) {
                List<SourceRecord> b = h.task.poll();   // the scan, and vm-1's first records
                if (b != null) {
                    sent.addAll(b);
                }
            }
            Files.delete(broken.get(0));
            sent.addAll(h.drain(3));
            List<SourceError> errors = events(sent, VhdSourceConnectorConfig.ERRORS_TOPIC_DEFAULT).stream()
                    .map(e -> (SourceError) e.getPayload()).toList();
            assertEquals(List.of("vm-2"), errors.stream().map(SourceError::getDiskId).toList(), "vm-2's base cannot be read");
            List<LayersMerged> merges = events(sent, VhdSourceConnectorConfig.TOPIC_DEFAULT).stream()
                    .filter(e -> e.getPayload() instanceof LayersMerged).map(e -> (LayersMerged) e.getPayload()).toList();
            assertEquals(1, merges.size(), "vm-3's merge of layers 1..2 is announced once");
            assertEquals(List.of("vm-3", 1, 2), List.of(merges.get(0).getDiskId(), merges.get(0).getFromLayerIndex(),
                    merges.get(0).getToLayerIndex()));
        }
    }

    /** The index of the EndOfLayer of layer {@code index}. */
    private static int indexOfEnd(List<SourceRecord> records, int index) {
        for (int i = 0; i < records.size(); i++) {
            if (BlockEvents.fromConnect(records.get(i).value()).getPayload() instanceof EndOfLayer e && e.getLayerIndex() == index) {
                return i;
            }
        }
        throw new AssertionError("no EndOfLayer " + index);
    }

    private static final class ReplicaStoreMergeNames {
        static final String JOURNAL = "merge.pending";
    }

    /** Unique ids of images. */
    private static final class ConnectTestSupportIds {
        static UUID id(Path vhd) throws IOException {
            return io.vhdstream.connector.ConnectTestSupport.uniqueId(vhd);
        }
    }

    @Test
    void aFailedReplicaLayerIsResyncedByResettingTheSourceToTheLayerBelowIt() throws Exception {
        Path root = tmp.resolve("root");
        List<Path> chain = TestChains.engineChain(root.resolve("d"), "x", SIZE, 2 * TestChains.MIB, 3, 12);
        Map<String, String> p = props(root, VhdSourceConnectorConfig.CHUNK_SIZE_CONFIG, "65536");
        List<SourceRecord> all = SourceHarness.emitAll(p);
        // Layer 1 arrives damaged (one record lost): it fails, and layer 2 fails after it ("parent not sealed").
        int lost = -1;
        for (int i = 0; i < all.size() && lost < 0; i++) {
            if (BlockEvents.fromConnect(all.get(i).value()).getPayload() instanceof ChangedBlock c && c.getLayerIndex() == 1) {
                lost = i;
            }
        }
        List<SourceRecord> damaged = new ArrayList<>(all);
        damaged.remove(lost);
        Path replica = tmp.resolve("replica");
        FakeContexts.Sink first = replicate(replica, damaged, false);
        String disk = BlockEvents.diskId(BlockEvents.fromConnect(all.get(0).value()));
        assertEquals(1, io.vhdstream.connector.ConnectTestSupport.sealedCount(replica, disk));
        assertFalse(first.reported.isEmpty());
        // The runbook's resync (docs/operations.md): the disk's offset set to "layer 0 complete" sends layers 1 and 2 again.
        UUID base = io.vhdstream.connector.ConnectTestSupport.uniqueId(chain.get(0));
        Map<Map<String, ?>, Map<String, Object>> reset = Map.of(LayerOffset.partition(disk),
                LayerOffset.started(base, 0, 65536).completed().toMap());
        List<SourceRecord> again;
        try (SourceHarness h = new SourceHarness(p, reset, false)) {
            again = h.drain(3);
        }
        replicate(replica, again, false);
        assertEquals(3, io.vhdstream.connector.ConnectTestSupport.sealedCount(replica, disk));
        assertEquals(-1, TestChains.compareExports(chain.get(2), replicaTop(replica, disk), tmp));
    }

    @Test
    void brokenFilesAreReportedOnceAndTheRestKeepsFlowing() throws Exception {
        Path root = tmp.resolve("root");
        List<Path> chain = TestChains.engineChain(root.resolve("good"), "g", SIZE, 2 * TestChains.MIB, 1, 6);
        Path bad = root.resolve("bad");
        Files.createDirectories(bad);
        Files.copy(TestChains.fixture("dfvfs-fat-differential.vhd"), bad.resolve("fat-differential.vhd"));
        byte[] junk = new byte[3 * 512];
        new Random(1).nextBytes(junk);
        Files.write(bad.resolve("junk.vhd"), junk);
        Files.writeString(bad.resolve("notes.txt"), "not an image");
        try (SourceHarness h = new SourceHarness(props(root), null, false)) {
            List<SourceRecord> records = h.drain(4);
            Map<String, SourceError> errors = new HashMap<>();
            for (SourceRecord r : records) {
                if (r.topic().equals(VhdSourceConnectorConfig.ERRORS_TOPIC_DEFAULT)) {
                    SourceError e = (SourceError) BlockEvents.fromConnect(r.value()).getPayload();
                    errors.put(e.getPath(), e);
                    assertEquals(e.getPath(), r.key(), "an error without a disk is keyed by its path");
                    assertNull(r.sourcePartition());
                }
            }
            assertEquals(Set.of("bad/fat-differential.vhd", "bad/junk.vhd"), errors.keySet());
            SourceError missing = errors.get("bad/fat-differential.vhd");
            assertEquals(SourceErrorCodes.MISSING_PARENT, missing.getReasonCode());
            assertTrue(missing.getMessage().contains("fat-parent.vhd"), missing.getMessage());
            assertEquals(SourceErrorCodes.CORRUPT_IMAGE, errors.get("bad/junk.vhd").getReasonCode());
            long ends = events(records, VhdSourceConnectorConfig.TOPIC_DEFAULT).stream()
                    .filter(e -> e.getPayload() instanceof EndOfLayer).count();
            assertEquals(1, ends, "the healthy chain's sealed base was emitted all the same");
            assertTrue(h.drain(3).isEmpty(), "problems are reported once");
        }
        assertTrue(Files.exists(chain.get(0)));
    }

    /** Issue 9.7: a file that stays broken in ever new versions is reported once per version, in bounded memory. */
    @Test
    void problemsAreRememberedOnlyWhileTheyLast() throws Exception {
        Path root = tmp.resolve("root");
        Path bad = Files.createDirectories(root.resolve("bad"));
        Random r = new Random(2);
        try (SourceHarness h = new SourceHarness(props(root, VhdSourceConnectorConfig.SCAN_INTERVAL_MS_CONFIG, "100"), null, false)) {
            int versions = 12;
            for (int v = 0; v < versions; v++) {
                byte[] junk = new byte[(3 + v) * 512];
                r.nextBytes(junk);
                Files.write(bad.resolve("junk.vhd"), junk);
                long errors = h.drain(3).stream().filter(x -> x.topic().equals(VhdSourceConnectorConfig.ERRORS_TOPIC_DEFAULT)).count();
                assertEquals(1, errors, "version " + v + " of the broken file is reported once");
            }
            assertTrue(h.task.rememberedProblems() <= 1, "remembered: " + h.task.rememberedProblems() + " after "
                    + versions + " versions of one broken file");
            Files.delete(bad.resolve("junk.vhd"));
            h.drain(3);
            assertEquals(0, h.task.rememberedProblems(), "a problem that is gone is forgotten");
        }
    }

    /** Issue 9.7: the task keeps state for the disks that exist, not for every disk it ever saw. */
    @Test
    void disksWhoseFilesAreGoneAreForgottenAndResumeFromTheirStoredOffsets() throws Exception {
        Path root = tmp.resolve("root");
        for (int i = 0; i < 4; i++) {
            TestChains.engineChain(root.resolve("vm" + i), "d", 8 * TestChains.MIB, 512 * 1024, 1, 30 + i);
        }
        try (SourceHarness h = new SourceHarness(props(root, VhdSourceConnectorConfig.SCAN_INTERVAL_MS_CONFIG, "100"), null, false)) {
            List<SourceRecord> first = h.drain(3);
            assertFalse(first.isEmpty());
            for (SourceRecord r : first) {   // the worker flushes the offsets of what it sent
                @SuppressWarnings("unchecked")
                Map<String, Object> o = (Map<String, Object>) r.sourceOffset();
                h.context.offsets.put(r.sourcePartition(), o);
            }
            assertEquals(4, h.task.knownDisks());
            Path aside = Files.createDirectories(tmp.resolve("aside"));
            for (int i = 0; i < 3; i++) {
                Files.move(root.resolve("vm" + i), aside.resolve("vm" + i));   // gone from the root
            }
            long deadline = System.currentTimeMillis() + 5_000;
            while (h.task.knownDisks() > 1 && System.currentTimeMillis() < deadline) {
                h.drain(1);
            }
            assertEquals(1, h.task.knownDisks(), "three disks deleted: only the one left is kept");
            // One comes back as it was: it resumes from the offsets the worker stored, nothing is sent again.
            Files.move(aside.resolve("vm0"), root.resolve("vm0"));
            Thread.sleep(150);
            assertEquals(List.of(), h.drain(3), "a disk back with the layers it had emits nothing again");
            assertEquals(2, h.task.knownDisks());
        }
    }

    // ---- helpers

    static FakeContexts.Sink replicate(Path replicaDir, List<SourceRecord> records, boolean viaJson) {
        Map<String, String> props = Map.of(VhdReplicaSinkConnectorConfig.REPLICA_DIR_CONFIG, replicaDir.toString(), "topics",
                VhdSourceConnectorConfig.TOPIC_DEFAULT);
        FakeContexts.Sink ctx = new FakeContexts.Sink(props);
        VhdReplicaSinkTask sink = new VhdReplicaSinkTask();
        sink.initialize(ctx);
        sink.start(props);
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", "true"), false);
        List<SinkRecord> batch = new ArrayList<>();
        long off = 0;
        for (SourceRecord r : records) {
            if (!r.topic().equals(VhdSourceConnectorConfig.TOPIC_DEFAULT)) {
                continue;
            }
            Object value = r.value();
            org.apache.kafka.connect.data.Schema schema = r.valueSchema();
            if (viaJson) {
                byte[] bytes = json.fromConnectData(r.topic(), schema, value);
                SchemaAndValue sv = json.toConnectData(r.topic(), bytes);
                schema = sv.schema();
                value = sv.value();
            }
            batch.add(new SinkRecord(r.topic(), 0, r.keySchema(), r.key(), schema, value, off++));
        }
        sink.put(batch);
        sink.preCommit(Map.of());
        sink.stop();
        return ctx;
    }

    static Path replicaTop(Path replica, String diskId) throws IOException {
        try (Stream<Path> s = Files.list(replica.resolve(NameEncoding.diskDir(diskId)))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".vhd")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    private static boolean isZero(java.nio.ByteBuffer b) {
        while (b.hasRemaining()) {
            if (b.get() != 0) {
                return false;
            }
        }
        return true;
    }

    private static int indexOfSame(List<SourceRecord> l, Object o) {
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i) == o) {
                return i;
            }
        }
        return -1;
    }
}
