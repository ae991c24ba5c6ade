package io.vhdstream.cli.vhd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vhdstream.cli.CliRunner.Result;
import io.vhdstream.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.vhdstream.cli.CliRunner.copyFixtures;
import static io.vhdstream.cli.CliRunner.runWithStdin;
import static io.vhdstream.cli.CliRunner.vhd;
import static io.vhdstream.cli.CliRunner.vhdArgs;
import static io.vhdstream.cli.vhd.ReadWriteTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** convert, compare and map, checked on a vhd-lib chain and against qemu-img. */
class VerbsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path vhdLibTop() throws Exception {
        return copyFixtures(dir, "vhd-lib/base.vhd", "vhd-lib/child.vhd", "vhd-lib/grandchild.vhd").get(2);
    }

    private static String qemu(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-img"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() + ":" + out.strip();
    }

    @Test
    void convertFlattensAChainIntoOneImageQemuReadsTheSame() throws Exception {
        Path top = vhdLibTop();
        Path raw = dir.resolve("top.raw");
        vhd("export", top, raw).assertOk();
        Path flat = dir.resolve("flat.vhd");
        Result r = vhd("convert", top, flat, "--block-size", "64K").assertOk();
        assertTrue(r.err().startsWith("converted " + top + " to " + flat + " (dynamic VHD, "), r.err());
        JsonNode info = JSON.readTree(vhd("info", "--json", flat).out());
        assertEquals("dynamic", info.get("type").asText());
        assertEquals(65536, info.get("sparse").get("blockSize").asLong());
        assertEquals(1, info.get("chain").get("layers").size());
        assertEquals("0:Images are identical.", qemu("compare", "-f", "vpc", flat.toString(), "-F", "raw", raw.toString()));
        assertEquals(ExitCodes.OK, vhd("compare", flat, raw).exit());
        assertEquals(ExitCodes.OK, vhd("compare", flat, top).exit());

        Path fixed = dir.resolve("fixed.vhd");
        vhd("convert", "--type", "fixed", raw, fixed).assertOk();
        assertArrayEquals(Files.readAllBytes(raw), vhd("read", fixed, "--offset", "0", "--length",
                String.valueOf(Files.size(raw))).assertOk().stdout());
        Path back = dir.resolve("back.raw");
        vhd("convert", "-O", "raw", fixed, back).assertOk();
        assertArrayEquals(Files.readAllBytes(raw), Files.readAllBytes(back));
        vhd("convert", top, flat).assertError(ExitCodes.FAILURE, "ALREADY_EXISTS");
        vhd("convert", "--force", top, dir.resolve("child.vhd")).assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
    }

    @Test
    void compareExitsLikeQemuImgCompare() throws Exception {
        Path top = vhdLibTop();
        Path raw = dir.resolve("a.raw");
        vhd("export", top, raw).assertOk();
        byte[] changed = Files.readAllBytes(raw);
        changed[(7 << 20) + 100] ^= 1;
        Path other = dir.resolve("b.raw");
        Files.write(other, changed);
        Result differ = vhd("compare", top, other);
        assertEquals(1, differ.exit());
        assertTrue(differ.out().startsWith("Content mismatch at offset " + ((7 << 20) + 100) + "!"), differ.out());
        assertEquals("1:Content mismatch at offset " + (7 << 20) + "!",
                qemu("compare", "-f", "raw", raw.toString(), "-F", "raw", other.toString()), "qemu agrees (by sector)");
        JsonNode j = JSON.readTree(vhd("compare", "--json", top, other).out());
        assertEquals((7 << 20) + 100, j.get("offset").asLong());

        Path longer = dir.resolve("c.raw");
        Files.write(longer, java.util.Arrays.copyOf(Files.readAllBytes(raw), (int) Files.size(raw) + 4096));
        assertEquals(0, vhd("compare", top, longer).exit(), "zeros past the end are the same disk");
        assertEquals(1, vhd("compare", "--strict", top, longer).exit());
        assertEquals(2, vhd("compare", top, dir.resolve("missing.raw")).exit());
    }

    @Test
    void mapShowsTheDepthOfEveryExtent() throws Exception {
        Path top = vhdLibTop();
        JsonNode n = JSON.readTree(vhd("map", "--json", top).assertOk().out());
        assertEquals(1, n.get("version").asInt());
        assertEquals(3, n.get("layers").size());
        long at = 0;
        for (JsonNode e : n.get("extents")) {
            assertEquals(at, e.get("start").asLong(), "extents tile the disk");
            at += e.get("length").asLong();
        }
        assertEquals(JSON.readTree(vhd("info", "--json", top).out()).get("virtualSize").asLong(), at);
        // grandchild holds 6144+4096 and 7 MiB+512; child 4096+8192 and 5 MiB+512+1536; base the 64 KiB runs
        assertEquals(0, depthAt(n, 6144));
        assertEquals(1, depthAt(n, 4096));
        assertEquals(0, depthAt(n, 7 << 20));
        assertEquals(1, depthAt(n, (5 << 20) + 512));
        assertEquals(2, depthAt(n, 0));
        assertEquals(2, depthAt(n, 3 << 20));
        JsonNode hole = extentAt(n, 6 << 20);
        assertEquals(2, hole.get("depth").asInt(), "a range no layer holds is the bottom layer's, as in qemu-img map");
        assertTrue(hole.get("zero").asBoolean() && !hole.get("data").asBoolean() && !hole.has("offset"));

        byte[] disk = vhd("read", top, "--offset", "0", "--length", "8M").assertOk().stdout();
        for (JsonNode e : n.get("extents")) {
            if (e.get("data").asBoolean()) {
                Path layer = Path.of(n.get("layers").get(e.get("depth").asInt()).asText());
                byte[] file = Files.readAllBytes(layer);
                int from = (int) e.get("offset").asLong();
                int len = (int) e.get("length").asLong();
                int start = (int) e.get("start").asLong();
                assertArrayEquals(java.util.Arrays.copyOfRange(disk, start, start + len),
                        java.util.Arrays.copyOfRange(file, from, from + len), "extent at " + start + " is where map says");
            }
        }
        List<String> text = vhd("map", top).assertOk().outLines();
        assertEquals(n.get("extents").size(), text.size());
    }

    /**
     * qemu-img map is the oracle: on images qemu-img and qemu-io made, every extent field agrees; on a chain
     * (which qemu cannot open: it has no VHD parents) each extent read from the parent is what qemu-img map says
     * of the parent alone, one level deeper.
     */
    @Test
    void mapAgreesWithQemuImgMap() throws Exception {
        Path base = dir.resolve("base.vhd");
        assertEquals("0:", qemu("create", "-q", "-f", "vpc", "-o", "subformat=dynamic", base.toString(), "16M"));
        Process io = new ProcessBuilder("qemu-io", "-f", "vpc", "-c", "write -P 1 0 2M", "-c", "write -P 2 6M 1M",
                "-c", "write -P 3 9M 4K", "-c", "write -P 4 14M 2M", base.toString()).redirectErrorStream(true).start();
        io.getInputStream().readAllBytes();
        assertEquals(0, io.waitFor());
        assertEquals(qemuMap(base), extents(JSON.readTree(vhd("map", "--json", base).assertOk().out())));

        // Written in full: qemu-img also reports holes of the host file as zero (data and zero true); map does not.
        Path fixed = dir.resolve("fixed.vhd");
        assertEquals("0:", qemu("create", "-q", "-f", "vpc", "-o", "subformat=fixed", fixed.toString(), "4M"));
        Process fill = new ProcessBuilder("qemu-io", "-f", "vpc", "-c", "write -P 5 0 4212736", fixed.toString())
                .redirectErrorStream(true).start();
        fill.getInputStream().readAllBytes();
        assertEquals(0, fill.waitFor());
        assertEquals(qemuMap(fixed), extents(JSON.readTree(vhd("map", "--json", fixed).assertOk().out())));

        Path child = dir.resolve("child.vhd");
        vhd("snapshot", base, child).assertOk();
        runWithStdin(random(1 << 20, 5), vhdArgs("write", child, "--offset", "1M")).assertOk();
        JsonNode parent = qemuMap(base);
        int fromParent = 0;
        for (JsonNode e : extents(JSON.readTree(vhd("map", "--json", child).assertOk().out()))) {
            if (e.get("depth").asInt() == 0) {
                continue;
            }
            fromParent++;
            long start = e.get("start").asLong();
            JsonNode q = null;
            for (JsonNode c : parent) {
                if (c.get("start").asLong() <= start && start < c.get("start").asLong() + c.get("length").asLong()) {
                    q = c;
                }
            }
            assertTrue(q != null && start + e.get("length").asLong() <= q.get("start").asLong() + q.get("length").asLong(),
                    "extent at " + start + " lies within one of qemu's extents of the parent");
            com.fasterxml.jackson.databind.node.ObjectNode expect = q.deepCopy();
            expect.put("start", start).put("length", e.get("length").asLong()).put("depth", q.get("depth").asInt() + 1);
            if (q.has("offset")) {
                expect.put("offset", q.get("offset").asLong() + start - q.get("start").asLong());
            }
            assertEquals(JSON.readTree(expect.toString()), JSON.readTree(e.toString()), "extent at " + start);
        }
        assertTrue(fromParent >= 3, "the parent's data and holes are both in the child's map");
    }

    /** qemu-img map --output=json of one image. */
    private static JsonNode qemuMap(Path image) throws Exception {
        Process p = new ProcessBuilder("qemu-img", "map", "--output=json", "-f", "vpc", image.toString()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        return JSON.readTree(out);
    }

    private static JsonNode extents(JsonNode map) {
        return map.get("extents");
    }

    private static JsonNode extentAt(JsonNode map, long offset) {
        for (JsonNode e : map.get("extents")) {
            if (e.get("start").asLong() <= offset && offset < e.get("start").asLong() + e.get("length").asLong()) {
                return e;
            }
        }
        throw new AssertionError("no extent at " + offset);
    }

    private static int depthAt(JsonNode map, long offset) {
        return extentAt(map, offset).get("depth").asInt();
    }
}
