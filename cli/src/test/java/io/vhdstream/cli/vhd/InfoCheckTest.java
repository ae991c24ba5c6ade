package io.vhdstream.cli.vhd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vhdstream.cli.CliRunner.Result;
import io.vhdstream.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static io.vhdstream.cli.CliRunner.fixture;
import static io.vhdstream.cli.CliRunner.vhd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FAT_PARENT = "C:\\Projects\\dfvfs\\test_data\\fat-parent.vhd";

    @TempDir
    Path dir;

    @Test
    void infoJsonOnTheWindowsDifferencingFixture() throws Exception {
        Path f = fixture("dfvfs-fat-differential.vhd");
        Result r = vhd("info", "--json", f).assertOk();
        assertEquals(1, r.outLines().size(), "one JSON object on one line");
        JsonNode n = JSON.readTree(r.out());
        assertEquals(f.toString(), n.get("file").asText());
        assertEquals("differencing", n.get("type").asText());
        assertEquals(4L << 20, n.get("virtualSize").asLong());
        assertEquals("win ", n.get("creator").get("application").asText());
        assertEquals("10.0", n.get("creator").get("version").asText());
        assertTrue(n.get("checksum").get("ok").asBoolean());
        assertEquals(8192, n.get("sparse").get("batOffset").asLong());
        assertEquals(1, n.get("sparse").get("allocatedBlocks").asInt());
        assertEquals(FAT_PARENT, n.get("parent").get("name").asText());

        List<String> platforms = new ArrayList<>();
        for (JsonNode l : n.get("locators")) {
            platforms.add(l.get("platform").asText());
        }
        assertEquals(List.of("W2ku", "W2ru"), platforms);
        JsonNode w2ku = n.get("locators").get(0);
        assertEquals(FAT_PARENT, w2ku.get("path").asText());
        assertEquals(4096, w2ku.get("dataOffset").asLong());
        JsonNode w2ru = n.get("locators").get(1);
        assertEquals(".\\fat-parent.vhd", w2ru.get("path").asText());
        assertEquals(12288, w2ru.get("dataOffset").asLong());
        assertEquals(65536, w2ru.get("dataSpaceBytes").asLong());

        JsonNode error = n.get("chain").get("error");
        assertEquals("PARENT_NOT_FOUND", error.get("code").asText());
        assertTrue(error.get("message").asText().contains("parent not found"), error.toString());
        assertFalse(n.get("chain").has("layers"));
    }

    @Test
    void infoTextOnTheWindowsDifferencingFixture() {
        Result r = vhd("info", fixture("dfvfs-fat-differential.vhd")).assertOk();
        String out = r.out();
        assertTrue(out.contains("type:              differencing"), out);
        assertTrue(out.contains("virtual size:      4194304 bytes (4 MiB)   geometry C/H/S 120/4/17 = 4177920 bytes"), out);
        assertTrue(out.contains("parent name:       " + FAT_PARENT), out);
        assertTrue(out.contains("slot 0  W2ku  data offset 4096"), out);
        assertTrue(out.contains("slot 1  W2ru  data offset 12288  space 65536 bytes  length 32  .\\fat-parent.vhd"), out);
        assertTrue(out.contains("chain:             not resolved: PARENT_NOT_FOUND: "), out);
        assertTrue(out.contains("parent not found"), out);
    }

    @Test
    void infoTextShowsTheFooterFields() throws Exception {
        Path f = dir.resolve("d.vhd");
        vhd("create", f, "--size", "10M").assertOk();
        String out = vhd("info", f).assertOk().out();
        for (String expected : List.of("file:              " + f, "type:              dynamic",
                "virtual size:      10485760 bytes (10 MiB)", "creator:           \"win \" version 10.0, host \"Wi2k\"",
                "saved state:       no", "checksum:          ok (0x", "data offset:       512",
                "block size:        2097152 bytes (2 MiB)", "max table entries: 5", "allocated blocks:  0",
                "BAT offset:        1536", "batmap:            absent", "chain:\n  0  " + f)) {
            assertTrue(out.contains(expected), () -> "missing '" + expected + "' in\n" + out);
        }
        assertTrue(out.lines().anyMatch(l -> l.matches("unique id: +[0-9a-f-]{36}")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("timestamp: +\\d{4}-\\d\\d-\\d\\dT.*Z \\(\\d+ s after 2000-01-01\\)")), out);
        assertFalse(out.contains("locators"), "a dynamic image without locators shows none");
    }

    @Test
    void infoJsonOnAFixedImageHasNoSparseSection() throws Exception {
        Path f = dir.resolve("f.vhd");
        vhd("create", f, "--size", "1M", "--type", "fixed").assertOk();
        JsonNode n = JSON.readTree(vhd("info", "--json", f).assertOk().out());
        assertEquals("fixed", n.get("type").asText());
        assertEquals(-1, n.get("dataOffset").asLong());
        assertFalse(n.has("sparse"));
        assertEquals(f.toString(), n.get("chain").get("layers").get(0).asText());
    }

    @Test
    void infoNeedsLenientForABadChecksum() throws Exception {
        Path f = fixture("dfvfs-image.vhd");
        Result strict = vhd("info", f).assertError(ExitCodes.FAILURE, "FOOTER_CHECKSUM");
        assertTrue(strict.err().endsWith("(--lenient reads it anyway)" + System.lineSeparator()), strict.err());
        Result lenient = vhd("info", "--lenient", f).assertOk();
        assertTrue(lenient.out().contains("checksum:          BAD: stored 0xfffff683"), lenient.out());
        JsonNode n = JSON.readTree(vhd("info", "--json", "--lenient", f).assertOk().out());
        assertFalse(n.get("checksum").get("ok").asBoolean());
        assertEquals(1, n.get("problems").size());
        assertEquals("FOOTER_CHECKSUM", n.get("problems").get(0).get("code").asText());
    }

    @Test
    void infoOnANonVhdFails() throws Exception {
        Path f = dir.resolve("text.vhd");
        Files.writeString(f, "x".repeat(2000));
        vhd("info", f).assertError(ExitCodes.FAILURE, "FOOTER_COOKIE");
    }

    @Test
    void checkCleanImage() throws Exception {
        Path f = dir.resolve("c.vhd");
        vhd("create", f, "--size", "4M").assertOk();
        Result r = vhd("check", f).assertOk();
        assertEquals(List.of(f + ": clean"), r.outLines());
        JsonNode n = JSON.readTree(vhd("check", "--json", f).assertOk().out());
        assertEquals(f.toString(), n.get("file").asText());
        assertTrue(n.get("clean").asBoolean());
        assertTrue(n.get("problems").isArray());
        assertEquals(0, n.get("problems").size());
    }

    @Test
    void checkReportsProblemsWithExit1() {
        Path f = fixture("dfvfs-image.vhd");
        Result r = vhd("check", f);
        assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
        assertEquals("", r.err());
        assertTrue(r.outLines().get(0).startsWith(f + ": ERROR FOOTER_CHECKSUM [end footer @2099712] checksum 0xfffff683"), r.out());
        assertEquals(f + ": 1 problem (1 error, 0 warnings)", r.outLines().get(r.outLines().size() - 1));
    }

    @Test
    void checkJsonShape() throws Exception {
        Path f = fixture("dfvfs-fat-differential.vhd");
        Result r = vhd("check", "--json", f);
        assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
        JsonNode n = JSON.readTree(r.out());
        assertEquals(List.of("version", "file", "clean", "errors", "warnings", "problems"), fieldNames(n));
        assertEquals(1, n.get("version").asInt());
        assertFalse(n.get("clean").asBoolean());
        assertEquals(1, n.get("errors").asInt());
        JsonNode p = n.get("problems").get(0);
        assertEquals(List.of("file", "code", "severity", "structure", "message", "fatal"), fieldNames(p),
                "a problem with no single place has no offset");
        assertEquals(f.toString(), p.get("file").asText());
        assertEquals("PARENT_NOT_FOUND", p.get("code").asText());
        assertEquals("ERROR", p.get("severity").asText());
        assertEquals("chain", p.get("structure").asText());
        assertTrue(p.get("message").asText().contains("parent not found"));
    }

    @Test
    void checkReportsANonVhdFile() throws Exception {
        Path f = dir.resolve("junk.bin");
        Files.write(f, new byte[4096]);
        Result r = vhd("check", f);
        assertEquals(ExitCodes.FAILURE, r.exit());
        assertTrue(r.out().startsWith(f + ": ERROR FOOTER_COOKIE [end footer @3584] "), r.out());
        Result tiny = vhd("check", "--json", write(dir.resolve("tiny"), new byte[10]));
        assertEquals(ExitCodes.FAILURE, tiny.exit());
        assertEquals("FILE_TOO_SMALL", JSON.readTree(tiny.out()).get("problems").get(0).get("code").asText());
    }

    @Test
    void checkOnAMissingFileOrADirectoryIsExit2() {
        vhd("check", dir.resolve("missing.vhd")).assertError(ExitCodes.USAGE, "IO_ERROR");
        vhd("check", dir).assertError(ExitCodes.USAGE, "IO_ERROR");
        vhd("check", "--allow-root", dir.resolve("nope"), fixture("dfvfs-image.vhd")).assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
    }

    @Test
    void checkFindsADamagedFooterAndRepairFixesIt() throws Exception {
        Path f = dir.resolve("r.vhd");
        vhd("create", f, "--size", "4M").assertOk();
        vhd("write", f, "--offset", "0", "--input", write(dir.resolve("in"), new byte[4096])).assertOk();
        flipByte(f, Files.size(f) - 512 + 70); // inside the end footer's unique id: its checksum no longer matches
        Result broken = vhd("check", f);
        assertEquals(ExitCodes.FAILURE, broken.exit());
        assertTrue(broken.out().contains("FOOTER_CHECKSUM"), broken.out());

        Result repaired = vhd("repair", f).assertOk();
        assertTrue(repaired.out().startsWith(f + ": repaired: "), repaired.out());
        assertFalse(repaired.out().contains("remain"), repaired.out());
        assertTrue(repaired.out().endsWith(f + ": clean" + System.lineSeparator()), repaired.out());
        vhd("check", f).assertOk();
        assertEquals(List.of(f + ": nothing to repair"), vhd("repair", f).assertOk().outLines());
    }

    @Test
    void repairExitsOneWhenErrorsRemainAndSaysWhich() throws Exception {
        Path f = dir.resolve("h.vhd");
        vhd("create", f, "--size", "4M").assertOk();
        flipByte(f, Files.size(f) - 512);  // end footer cookie: the copy at 0 restores it
        flipByte(f, 512);                  // dynamic header cookie: nothing restores that
        Result r = vhd("repair", f);
        assertEquals(ExitCodes.FAILURE, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains(f + ": repaired: rewrote the end footer"), r.out());
        assertTrue(r.out().contains(f + ": ERROR HEADER_COOKIE"), r.out());
        assertTrue(r.out().contains(f + ": 1 problem remains (1 error)"), r.out());
        assertEquals(ExitCodes.FAILURE, vhd("check", f).exit());
        assertFalse(vhd("check", f).out().contains("FOOTER_COOKIE"), "check agrees: the footer is fixed");
    }

    @Test
    void repairOfANonVhdFails() throws Exception {
        vhd("repair", write(dir.resolve("junk"), new byte[2048])).assertError(ExitCodes.FAILURE, "FOOTER_COOKIE");
        vhd("repair", dir.resolve("missing")).assertError(ExitCodes.FAILURE, "IO_ERROR");
    }

    static Path write(Path p, byte[] data) throws Exception {
        Files.write(p, data);
        return p;
    }

    static void flipByte(Path f, long at) throws Exception {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, at);
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
