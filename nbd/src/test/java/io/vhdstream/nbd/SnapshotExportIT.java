package io.vhdstream.nbd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vhdstream.nbd.export.SnapshotCatalog;
import io.vhdstream.nbd.server.NbdServer;
import io.vhdstream.nbd.server.ServerSettings;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.MergeRecord;
import io.vhdstream.topology.disk.Retention;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.extent.ExtentBuilder;
import io.vhdstream.vhd.extent.Extent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Read-only snapshot exports read by clients nobody here wrote: qemu-img, qemu-io, nbdinfo and nbdcopy
 * against a layer directory the topology's own code made, compared with the model of the disk.
 */
class SnapshotExportIT {
    @TempDir
    static Path tmp;
    static LayerFixture fixture;
    static NbdServer server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Tools.installed("qemu-img") && Tools.installed("nbdinfo"),
                "qemu-utils and libnbd-bin are needed (./run-tests installs them)");
        fixture = LayerFixture.build(tmp.resolve("layers"), "vm-1", 16, 4, 7);
        server = NbdServer.start(ServerSettings.localhost(0), new SnapshotCatalog(List.of(tmp.resolve("layers"))));
        base = "nbd://127.0.0.1:" + server.port() + "/";
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void qemuImgConvertReadsEverySnapshotAsTheModel() throws Exception {
        for (Map.Entry<String, byte[]> s : fixture.snapshots.entrySet()) {
            Path out = tmp.resolve("convert-" + s.getKey() + ".raw");
            Tools.ok("qemu-img", "convert", "-f", "raw", "-O", "raw", base + "vm-1@" + s.getKey(), out.toString());
            assertArrayEquals(s.getValue(), Files.readAllBytes(out), "snapshot " + s.getKey());
        }
    }

    @Test
    void nbdcopyReadsASnapshotAsTheModel() throws Exception {
        assertTrue(Tools.installed("nbdcopy"), "nbdcopy is needed (./run-tests installs libnbd-bin)");
        Path out = tmp.resolve("nbdcopy.raw");
        Files.write(out, new byte[0]);
        Tools.ok("nbdcopy", base + "vm-1@s3", out.toString());
        assertArrayEquals(fixture.snapshots.get("s3"), Files.readAllBytes(out));
    }

    @Test
    void qemuIoReadsPatternsAndQemuImgCompareAgrees() throws Exception {
        byte[] s2 = fixture.snapshots.get("s2");
        Path raw = tmp.resolve("model-s2.raw");
        Files.write(raw, s2);
        Tools.ok("qemu-img", "compare", "-f", "raw", "-F", "raw", base + "vm-1@s2", raw.toString());
        Files.write(raw, fixture.snapshots.get("s1"));
        assertEquals(1, Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw", base + "vm-1@s2", raw.toString()).exit(),
                "s1 and s2 differ");
        // an unaligned read through a client that does its own alignment
        String out = Tools.ok("qemu-io", "-r", "-f", "raw", "-c", "read -v 1000 16", base + "vm-1@s2");
        StringBuilder hex = new StringBuilder();
        for (int i = 1000; i < 1016; i++) {
            hex.append(String.format("%02x ", s2[i] & 0xff));
        }
        assertTrue(out.contains(hex.toString().trim()), out + " lacks " + hex);
    }

    @Test
    void nbdinfoMapShowsTheLayersExtentsAndHolesReadAsZeros() throws Exception {
        String json = Tools.ok("nbdinfo", "--map", "--json", base + "vm-1@s4");
        List<Extent> data = new ArrayList<>();
        ExtentBuilder holes = new ExtentBuilder();
        for (JsonNode e : new ObjectMapper().readTree(json)) {
            Extent x = new Extent(e.get("offset").asLong(), e.get("length").asLong());
            if ((e.get("type").asInt() & 1) == 0) {
                data.add(x);
            } else {
                holes.add(x.offset(), x.length());
            }
        }
        byte[] model = fixture.snapshots.get("s4");
        for (Extent h : holes.build()) {
            for (long i = h.offset(); i < h.end(); i++) {
                assertEquals(0, model[(int) i], "a hole at " + h + " holds data at " + i);
            }
        }
        assertEquals(layerExtents("s4"), merge(data));
        long dataBytes = data.stream().mapToLong(Extent::length).sum();
        assertTrue(dataBytes > 0 && dataBytes < fixture.size / 4, "data " + dataBytes);
    }

    @Test
    void nbdinfoListsTheSnapshotsAndShowsMultiConnAndReadOnly() throws Exception {
        String list = Tools.ok("nbdinfo", "--list", "--json", base);
        for (String s : fixture.snapshots.keySet()) {
            assertTrue(list.contains("\"vm-1@" + s + "\""), list);
        }
        JsonNode info = new ObjectMapper().readTree(Tools.ok("nbdinfo", "--json", base + "vm-1@s1")).get("exports").get(0);
        assertEquals(fixture.size, info.get("export-size").asLong());
        assertTrue(info.get("can_multi_conn").asBoolean(), info.toString());
        assertTrue(info.get("is_read_only").asBoolean(), info.toString());
        assertEquals(512, info.get("block_size_minimum").asInt(), info.toString());
    }

    @Test
    void aMissingSnapshotIsAClearErrorAndTheServerGoesOn() throws Exception {
        Tools.Result r = Tools.run("qemu-img", "info", "-f", "raw", base + "vm-1@nope");
        assertNotEquals(0, r.exit());
        assertTrue(r.output().contains("no export named"), r.output());
        Tools.ok("qemu-img", "info", "-f", "raw", base + "vm-1@s1");
    }

    @Test
    void afterRetentionMergesTheKeptSnapshotsReadRightAndMergedOnesSaySo() throws Exception {
        Path dir = tmp.resolve("retained");
        LayerFixture f = LayerFixture.build(dir, "vm-2", 8, 6, 21, new Retention(2, Retention.DEFAULT_MAX_AGE_MS));
        assertTrue(Files.exists(dir.resolve(LayerNames.diskDir("vm-2")).resolve(MergeRecord.FILE)),
                "no merge happened");
        try (NbdServer s = NbdServer.start(ServerSettings.localhost(0), new SnapshotCatalog(List.of(dir)))) {
            String b = "nbd://127.0.0.1:" + s.port() + "/";
            String list = Tools.ok("nbdinfo", "--list", "--json", b);
            List<String> kept = new ArrayList<>();
            for (String id : f.snapshots.keySet()) {
                if (list.contains("\"vm-2@" + id + "\"")) {
                    kept.add(id);
                    Path out = tmp.resolve("kept-" + id + ".raw");
                    Tools.ok("qemu-img", "convert", "-f", "raw", "-O", "raw", b + "vm-2@" + id, out.toString());
                    assertArrayEquals(f.snapshots.get(id), Files.readAllBytes(out), "kept snapshot " + id);
                } else {
                    Tools.Result r = Tools.run("qemu-img", "info", "-f", "raw", b + "vm-2@" + id);
                    assertNotEquals(0, r.exit());
                    assertTrue(r.output().contains("merged into the base by retention"), r.output());
                }
            }
            assertTrue(kept.contains("s6") && kept.size() >= 2 && kept.size() < 6, "kept " + kept);
        }
    }

    /** The data extents of the chain from base.vhd up to the layer the snapshot sealed, merged. */
    private static List<Extent> layerExtents(String snapshot) throws Exception {
        Path dir = tmp.resolve("layers").resolve(LayerNames.diskDir("vm-1"));
        Path top = null;
        for (SealedLayer s : SealedLayer.readAll(dir.resolve(LayerNames.SEALED))) {
            if (s.snapshotId().equals(snapshot)) {
                top = dir.resolve(s.fileName());
            }
        }
        ExtentBuilder b = new ExtentBuilder();
        try (VhdChain chain = VhdChain.open(top)) {
            chain.resolve(0, chain.virtualSize(), (o, len, layer, fileOff) -> {
                if (layer >= 0) {
                    b.add(o, len);
                }
            });
        }
        return b.build();
    }

    private static List<Extent> merge(List<Extent> in) {
        ExtentBuilder b = new ExtentBuilder();
        in.forEach(e -> b.add(e.offset(), e.length()));
        return b.build();
    }
}
