package io.vhdstream.connector.sink;

import io.vhdstream.connector.ConnectTestSupport;
import io.vhdstream.connector.TestChains;
import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.connector.source.SourceHarness;
import io.vhdstream.connector.source.VhdSourceConnectorConfig;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.LayersMerged;
import io.vhdstream.schemas.common.NameEncoding;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.coalesce.ChainMerger;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9.2: a replica sink (a {@link ReplicaStore} in a child JVM) is killed with SIGKILL at several points of
 * following a source merge (as its journal appears and 2-150 ms later, while layers of 12 MiB are coalesced into
 * its base), then started again and fed again, either from the start (Connect redelivering everything since the
 * last commit) or only from the record after the {@code LayersMerged} (the journal alone must finish the
 * merge). Every run converges on the uninterrupted one: the same replica files and manifests, each file reading
 * the same, every file passing check, and the top equal to the source.
 *
 * <p>Likewise for a resync (issue 9.2): a replica that got layers 0 and 1 only, fed the source's resync after
 * retention merged 1..3 (the base again, then 4 and 5), killed while it writes the staged base (0-400 ms after
 * the staging directory appears) and just as the staged base is sealed (the switch: then fed again only from
 * after the resync, so the sealed staging alone must finish it), then fed again.
 */
class ReplicaMergeKillIT {
    private static final long SIZE = 64 * TestChains.MIB;
    private static final long[] DELAYS_MS = {0, 2, 10, 40, 150, 5};

    @TempDir
    Path tmp;

    @Test
    void aSinkKilledMidMergeConvergesOnTheUninterruptedReplica() throws Exception {
        String disk = "vm-kill";
        Path root = tmp.resolve("layers");
        List<Path> source = sourceWithMergedLayers(root.resolve(NameEncoding.diskDir(disk)));
        List<BlockEvent> events = new ArrayList<>();
        Path records = tmp.resolve("records.bin");
        int mergeAt = writeRecords(root, records, events);

        Path reference = tmp.resolve("reference");
        assertEquals(0, runChild(reference, records, 0).waitFor(), "the uninterrupted run");
        Path refDisk = reference.resolve(NameEncoding.diskDir(disk));
        assertEquals(-1, TestChains.compareExports(source.get(5), ConnectTestSupport.replicaTop(reference, disk), tmp));
        assertEquals(List.of("0000", "0004", "0005"), vhdFiles(refDisk).stream().map(n -> n.substring(0, 4)).toList());

        int midMerge = 0;
        for (int i = 0; i < DELAYS_MS.length; i++) {
            Path replica = tmp.resolve("kill-" + i);
            Path diskDir = replica.resolve(NameEncoding.diskDir(disk));
            Process child = runChild(replica, records, 0);
            long deadline = System.currentTimeMillis() + 120_000;
            while (!Files.exists(diskDir.resolve(ReplicaStore.MERGE_JOURNAL)) && child.isAlive()) {
                assertTrue(System.currentTimeMillis() < deadline, "the merge never started");
                Thread.sleep(1);
            }
            Thread.sleep(DELAYS_MS[i]);
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            boolean interrupted = Files.exists(diskDir.resolve(ReplicaStore.MERGE_JOURNAL));
            midMerge += interrupted ? 1 : 0;
            int from = i % 2 == 0 ? 0 : mergeAt + 1;
            System.out.println("ReplicaMergeKillIT: killed " + DELAYS_MS[i] + " ms after the journal appeared ("
                    + (interrupted ? "mid-merge" : "merge done") + "), fed again from record " + from);
            assertEquals(0, runChild(replica, records, from).waitFor(), "the restarted sink");
            assertSameReplica(refDisk, diskDir);
        }
        assertTrue(midMerge >= 2, "only " + midMerge + " kills landed in the middle of the merge");
    }

    @Test
    void aSinkKilledMidResyncConvergesOnTheUninterruptedReplica() throws Exception {
        String disk = "vm-resync";
        Path root = tmp.resolve("layers");
        List<Path> source = sourceWithMergedLayers(root.resolve(NameEncoding.diskDir(disk)));
        Path records = tmp.resolve("resync-records.bin");
        int[] resync = writeResyncRecords(root, records);

        Path reference = tmp.resolve("reference");
        assertEquals(0, runChild(reference, records, 0).waitFor(), "the uninterrupted run");
        Path refDisk = reference.resolve(NameEncoding.diskDir(disk));
        assertEquals(-1, TestChains.compareExports(source.get(5), ConnectTestSupport.replicaTop(reference, disk), tmp));
        assertEquals(List.of("0000", "0004", "0005"), vhdFiles(refDisk).stream().map(n -> n.substring(0, 4)).toList());
        assertFalse(Files.exists(refDisk.resolve(ReplicaStore.RESYNC_DIR)));

        long[] delays = {0, 150, -1};
        int midResync = 0;
        for (int i = 0; i < delays.length; i++) {
            Path replica = tmp.resolve("resync-kill-" + i);
            Path diskDir = replica.resolve(NameEncoding.diskDir(disk));
            Path staging = diskDir.resolve(ReplicaStore.RESYNC_DIR);
            Process child = runChild(replica, records, 0);
            long deadline = System.currentTimeMillis() + 120_000;
            while (child.isAlive() && !(delays[i] >= 0 ? Files.exists(staging) : stagedSealed(staging))) {
                assertTrue(System.currentTimeMillis() < deadline, "the resync never started");
                Thread.sleep(1);
            }
            Thread.sleep(Math.max(0, delays[i]));
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            boolean interrupted = Files.exists(staging);
            midResync += interrupted ? 1 : 0;
            // Connect redelivers from the last commit: from the start (the layers before the resync too) or from the resync;
            // once the staged base was sealed (the commit point), possibly from the record after its EndOfLayer.
            int from = delays[i] < 0 ? resync[1] + 1 : i % 2 == 0 ? 0 : resync[0];
            System.out.println("ReplicaMergeKillIT: killed " + (delays[i] < 0 ? "as the staged base was sealed" : delays[i]
                    + " ms into the resync") + " (" + (interrupted
                    ? "staging left" : "resync done") + "), fed again from record " + from);
            assertEquals(0, runChild(replica, records, from).waitFor(), "the restarted sink");
            assertSameReplica(refDisk, diskDir);
            assertFalse(Files.exists(staging));
        }
        assertTrue(midResync >= 2, "only " + midResync + " kills landed in the middle of the resync");
    }

    private static boolean stagedSealed(Path staging) {
        try (Stream<Path> s = Files.list(staging)) {
            for (Path m : s.filter(p -> p.toString().endsWith(LayerManifest.SUFFIX)).toList()) {
                if (LayerManifest.read(m).state() == LayerManifest.State.SEALED) {
                    return true;
                }
            }
        } catch (IOException notYet) {
            return false;
        }
        return false;
    }

    /**
     * The source's records for layers 0 and 1, then (retention merged 1..3 meanwhile) its resync: the base again, then
     * layers 4 and 5, encoded into a file; returns the indexes of the resync's StartOfLayer and EndOfLayer.
     */
    private static int[] writeResyncRecords(Path root, Path file) throws Exception {
        Map<String, String> props = Map.of(VhdSourceConnectorConfig.ROOTS_CONFIG, root.toString());
        List<SourceRecord> before = SourceHarness.emitAll(props);
        int endOf1 = -1;
        for (int i = 0; i < before.size() && endOf1 < 0; i++) {
            if (BlockEvents.fromConnect(before.get(i).value()).getPayload() instanceof io.vhdstream.schemas.block.EndOfLayer e
                    && e.getLayerIndex() == 1) {
                endOf1 = i;
            }
        }
        List<BlockEvent> events = encode(mergedAfter(root, props, before.subList(0, endOf1 + 1)), file);
        int resyncAt = -1;
        int resyncEnd = -1;
        for (int n = 0; n < events.size(); n++) {
            Object p = events.get(n).getPayload();
            if (p instanceof io.vhdstream.schemas.block.StartOfLayer s && s.getResync() != null) {
                resyncAt = n;
            } else if (resyncAt >= 0 && resyncEnd < 0 && p instanceof io.vhdstream.schemas.block.EndOfLayer) {
                resyncEnd = n;
            }
        }
        assertTrue(resyncAt > 0 && resyncEnd > resyncAt, "the source resynced");
        return new int[] {resyncAt, resyncEnd};
    }

    /** base.vhd and sealed layers 1..5, then the source's retention merges 1..3 into the base (as the topology does). */
    private static List<Path> sourceWithMergedLayers(Path dir) throws IOException {
        Random r = new Random(29);
        List<Path> files = TestChains.layerDirectory(dir, SIZE, 5, r);
        for (int i = 1; i <= 3; i++) {
            try (VhdImage img = VhdImage.open(files.get(i), OpenOptions.WRITE)) {
                for (int k = 0; k < 12; k++) { // 12 MiB more: a merge that takes a while
                    img.write(r.nextInt(64) * TestChains.MIB, ByteBuffer.wrap(TestChains.random(r, (int) TestChains.MIB)));
                }
                img.sync();
            }
        }
        return files;
    }

    /** The source's records for layers 0..4, then after the merge (LayersMerged, layer 5), encoded into a file. */
    private static int writeRecords(Path root, Path file, List<BlockEvent> events) throws Exception {
        Map<String, String> props = Map.of(VhdSourceConnectorConfig.ROOTS_CONFIG, root.toString());
        List<SourceRecord> before = SourceHarness.emitAll(props);
        events.addAll(encode(mergedAfter(root, props, before), file));
        int mergeAt = -1;
        for (int i = 0; i < events.size() && mergeAt < 0; i++) {
            mergeAt = events.get(i).getPayload() instanceof LayersMerged ? i : -1;
        }
        assertTrue(mergeAt > 0, "the source announced the merge");
        return mergeAt;
    }

    /**
     * {@code sent}, then what the source sends after retention merged layers 1..3 into the base (as the topology does)
     * and sealed layer 5, resuming after {@code sent}.
     */
    private static List<SourceRecord> mergedAfter(Path root, Map<String, String> props, List<SourceRecord> sent) throws Exception {
        Path dir;
        try (Stream<Path> s = Files.list(root)) {
            dir = s.findFirst().orElseThrow();
        }
        List<Path> all = new ArrayList<>();
        for (String f : List.of("base.vhd", "0001@s2.vhd", "0002@s3.vhd", "0003@s4.vhd", "0004@s5.vhd", "0005@s6.vhd")) {
            all.add(dir.resolve(f));
        }
        String line5 = TestChains.sealedLine(all, 5);
        ChainMerger.merge(all.get(0), all.subList(1, 4), all.get(4));
        Files.writeString(dir.resolve("merged"), "500 1 3\n");
        Files.writeString(dir.resolve("sealed"), line5, StandardOpenOption.APPEND);
        List<SourceRecord> out = new ArrayList<>(sent);
        try (SourceHarness h = new SourceHarness(props, SourceHarness.offsetsAfter(sent), false)) {
            out.addAll(h.drain(3));
        }
        return out;
    }

    /** The changed-block records of {@code records}, encoded into {@code file} as {@link ReplicaChild} reads them. */
    private static List<BlockEvent> encode(List<SourceRecord> records, Path file) throws IOException {
        List<BlockEvent> events = new ArrayList<>();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            for (SourceRecord r : records) {
                if (!r.topic().equals(VhdSourceConnectorConfig.TOPIC_DEFAULT)) {
                    continue;
                }
                BlockEvent e = BlockEvents.fromConnect(r.value());
                events.add(e);
                byte[] b = BlockEvents.encode(e);
                out.writeInt(b.length);
                out.write(b);
            }
        }
        return events;
    }

    private Process runChild(Path replica, Path records, int from) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), ReplicaChild.class.getName(), replica.toString(), records.toString(),
                Integer.toString(from));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("child.log").toFile())).start();
    }

    /** Same files, same manifests (but the per-run replica unique ids), each file reading the same, all clean, no journal. */
    private void assertSameReplica(Path want, Path got) throws IOException {
        assertEquals(names(want), names(got));
        assertFalse(Files.exists(got.resolve(ReplicaStore.MERGE_JOURNAL)));
        for (String n : names(want)) {
            if (n.endsWith(LayerManifest.SUFFIX)) {
                LayerManifest a = LayerManifest.read(want.resolve(n));
                LayerManifest b = LayerManifest.read(got.resolve(n));
                assertEquals(a.state(), b.state(), n);
                assertEquals(a.snapshotId(), b.snapshotId(), n);
                assertEquals(a.contentSha256(), b.contentSha256(), n);
            } else if (n.endsWith(".vhd")) {
                assertEquals(-1, TestChains.compareExports(want.resolve(n), got.resolve(n), tmp), n);
                assertTrue(VhdChecker.check(got.resolve(n), ChainOptions.forImage(got.resolve(n))).clean(), n);
            }
        }
    }

    private static List<String> names(Path dir) throws IOException {
        Map<String, Boolean> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).forEach(n -> out.put(n, true));
        }
        return new ArrayList<>(out.keySet());
    }

    private static List<String> vhdFiles(Path dir) throws IOException {
        return names(dir).stream().filter(n -> n.endsWith(".vhd")).toList();
    }
}
