package io.vhdstream.connector.source;

import io.vhdstream.connector.TestChains;
import io.vhdstream.schemas.block.SourceErrorCodes;
import io.vhdstream.vhd.create.VhdCreator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RootScannerTest {
    private static final long SIZE = 8 * TestChains.MIB;

    @TempDir
    Path tmp;

    private static List<String> files(DiskChain c) {
        return c.layers().stream().map(LayerRef::layerFile).toList();
    }

    @Test
    void aForeignLayerIsSealedOnceAnotherImageNamesIt() throws Exception {
        Path root = tmp.resolve("r");
        List<Path> chain = TestChains.engineChain(root.resolve("vm"), "a", SIZE, 512 * 1024, 2, 1);
        RootScanner s = new RootScanner(List.of(root), 8, false);
        ScanResult r = s.scan();
        assertEquals(1, r.disks().size());
        DiskChain d = r.disks().values().iterator().next();
        assertFalse(d.layerDirectory());
        assertEquals(List.of("a-base.vhd", "a-1.vhd"), files(d));
        assertEquals(d.layers().get(0).uniqueId(), d.layers().get(1).parentUniqueId());
        // A snapshot seals the leaf.
        VhdCreator.differencing(root.resolve("vm/a-3.vhd"), chain.get(2));
        assertEquals(List.of("a-base.vhd", "a-1.vhd", "a-2.vhd"), files(s.scan().disks().get(d.diskId())));
        // With include.active.layer the leaf comes too.
        assertEquals(4, new RootScanner(List.of(root), 8, true).scan().disks().get(d.diskId()).layers().size());
    }

    @Test
    void aBranchStopsTheChainAtTheForkAndIsReported() throws Exception {
        Path root = tmp.resolve("r");
        List<Path> chain = TestChains.engineChain(root.resolve("vm"), "b", SIZE, 512 * 1024, 1, 2);
        // Two children of the base, each sealed by a child of its own: a Hyper-V checkpoint tree.
        Path other = root.resolve("vm/b-1-other.vhd");
        VhdCreator.differencing(other, chain.get(0));
        VhdCreator.differencing(root.resolve("vm/b-2.vhd"), chain.get(1));
        VhdCreator.differencing(root.resolve("vm/b-2-other.vhd"), other);
        RootScanner s = new RootScanner(List.of(root), 8, false);
        assertTrue(s.scan().problems().isEmpty(), "problems wait for a second scan");
        ScanResult r = s.scan();
        DiskChain d = r.disks().values().iterator().next();
        assertEquals(List.of("b-base.vhd"), files(d));
        assertEquals(1, r.problems().size());
        assertEquals(SourceErrorCodes.UNSUPPORTED_IMAGE, r.problems().get(0).reasonCode());
        assertTrue(r.problems().get(0).message().contains("branches"));
    }

    @Test
    void aCopiedBaseIsReportedNotEmittedTwice() throws Exception {
        Path root = tmp.resolve("r");
        List<Path> chain = TestChains.engineChain(root.resolve("vm"), "c", SIZE, 512 * 1024, 1, 3);
        Files.createDirectories(root.resolve("backup"));
        Files.copy(chain.get(0), root.resolve("backup/c-base.vhd"));
        VhdCreator.differencing(root.resolve("backup/child.vhd"), root.resolve("backup/c-base.vhd"));
        RootScanner s = new RootScanner(List.of(root), 8, false);
        s.scan();
        ScanResult r = s.scan();
        assertEquals(1, r.disks().size());
        assertEquals(1, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).message().contains("same unique id"));
    }

    @Test
    void aParentOutsideTheRootsIsNotFollowed() throws Exception {
        Path outside = tmp.resolve("outside");
        List<Path> chain = TestChains.engineChain(outside, "o", SIZE, 512 * 1024, 0, 4);
        Path root = tmp.resolve("r");
        Files.createDirectories(root);
        VhdCreator.differencing(root.resolve("child.vhd"), chain.get(0));
        RootScanner s = new RootScanner(List.of(root), 8, false);
        s.scan();
        ScanResult r = s.scan();
        assertTrue(r.disks().isEmpty());
        assertEquals(SourceErrorCodes.MISSING_PARENT, r.problems().get(0).reasonCode());
        assertTrue(r.problems().get(0).message().contains("outside"), r.problems().get(0).message());
        // Adding the parent's directory as a root makes it a chain.
        assertEquals(1, new RootScanner(List.of(root, outside), 8, false).scan().disks().size());
    }

    @Test
    void aLayerDirectoryWithAWrongLayerStopsBeforeIt() throws Exception {
        Path dir = tmp.resolve("layers/disk-9");
        Files.createDirectories(dir);
        VhdCreator.dynamic(dir.resolve("base.vhd"), SIZE, 512 * 1024);
        TestChains.fill(dir.resolve("base.vhd"), SIZE, new Random(1));
        VhdCreator.dynamic(dir.resolve("0001-s.vhd"), SIZE, 512 * 1024); // not a child of base
        Files.writeString(dir.resolve("sealed"), "0 base.vhd a 1\n1 0001-s.vhd b 2\n");
        Files.createDirectories(tmp.resolve("layers/offsets"));
        Files.writeString(tmp.resolve("layers/offsets/cmds-0"), "17");
        RootScanner s = new RootScanner(List.of(tmp.resolve("layers")), 8, false);
        s.scan();
        ScanResult r = s.scan();
        assertEquals(Map.of("disk-9", List.of("base.vhd")), Map.of("disk-9", files(r.disks().get("disk-9"))));
        assertEquals(SourceErrorCodes.BROKEN_CHAIN, r.problems().get(0).reasonCode());
        assertEquals("disk-9", r.problems().get(0).diskId());
    }

    /** The tombstone is read by the state file's shared rules (StateFile): a state that breaks them is no deletion. */
    @Test
    void onlyAStateThatKeepsTheRulesIsATombstone() throws Exception {
        Path layers = tmp.resolve("layers");
        String live = "version=1\ndiskId=d\ntopic=t\npartition=0\nvirtualSize=8388608\nblockSize=524288\ncreatedOffset=0\n"
                + "createdAt=0\n";
        Map<String, String> states = Map.of(
                "gone", live + "deletedOffset=42\ndeleteReason=retired%20early\ndeletedLayers=base.vhd\n",
                "torn", live + "deletedOffset=42",
                "twice", live + "deletedOffset=42\ndeletedOffset=43\n",
                "hostile", live + "deletedOffset=42\ndeleteReason=%ZZ\n");
        for (Map.Entry<String, String> e : states.entrySet()) {
            Path dir = Files.createDirectories(layers.resolve(e.getKey()));
            Files.writeString(dir.resolve("state"), e.getValue());
        }
        ScanResult r = new RootScanner(List.of(layers), 8, false).scan();
        assertEquals(List.of("gone"), List.copyOf(r.deleted().keySet()));
        assertEquals(new DeletedDisk("gone", 42, "retired early"), r.deleted().get("gone"));
    }

    @Test
    void depthAndHiddenDirectoriesBoundTheWalk() throws Exception {
        Path root = tmp.resolve("r");
        TestChains.engineChain(root.resolve("a/b/c"), "deep", SIZE, 512 * 1024, 1, 5);
        TestChains.engineChain(root.resolve(".snapshots"), "hidden", SIZE, 512 * 1024, 1, 6);
        assertEquals(0, new RootScanner(List.of(root), 2, false).scan().disks().size());
        assertEquals(1, new RootScanner(List.of(root), 3, false).scan().disks().size());
    }

    @Test
    void aMissingRootIsAProblemNotACrash() {
        RootScanner s = new RootScanner(List.of(tmp.resolve("gone")), 8, false);
        s.scan();
        ScanResult r = s.scan();
        assertEquals(SourceErrorCodes.IO_ERROR, r.problems().get(0).reasonCode());
        assertTrue(r.problems().get(0).message().contains("does not exist"));
    }
}
