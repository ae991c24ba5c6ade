package io.vhdstream.cli.vhd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vhdstream.cli.CliRunner.Result;
import io.vhdstream.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.vhdstream.cli.CliRunner.copyFixtures;
import static io.vhdstream.cli.CliRunner.vhd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exit codes scripts rely on, on chains written by another tool (Xen Orchestra's vhd-lib). */
class CheckExitCodesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path vhdLibChain() throws Exception {
        return copyFixtures(dir, "vhd-lib/base.vhd", "vhd-lib/child.vhd", "vhd-lib/grandchild.vhd").get(2);
    }

    @Test
    void warningsOnlyExitZeroAndArePrintedWithBothTimestamps() throws Exception {
        Path top = vhdLibChain();
        Result r = vhd("check", top);
        assertEquals(ExitCodes.OK, r.exit(), r.out() + r.err());
        assertEquals("", r.err());
        List<String> lines = r.outLines();
        String expected = top + ": WARNING PARENT_TIMESTAMP_MISMATCH [chain] " + top
                + " recorded parent timestamp 0 (2000-01-01T00:00:00Z) but its parent " + dir.resolve("child.vhd").toRealPath()
                + " has 1796193533 (2056-12-01T06:38:53Z)";
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(expected)), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.contains("base.vhd has 1796193532 (2056-12-01T06:38:52Z)")),
                "the base's own timestamp named too: " + r.out());
        assertEquals(top + ": 3 warnings, no errors", lines.get(lines.size() - 1));
    }

    @Test
    void strictMakesWarningsFail() throws Exception {
        Path top = vhdLibChain();
        assertEquals(ExitCodes.FAILURE, vhd("check", "--strict", top).exit());
        JsonNode n = JSON.readTree(vhd("check", "--json", top).out());
        assertEquals(0, n.get("errors").asInt());
        assertEquals(3, n.get("warnings").asInt());
        assertFalse(n.get("clean").asBoolean());
    }

    @Test
    void theWorstFileDecidesAndEveryFileIsReported() throws Exception {
        Path warned = vhdLibChain();
        Path clean = dir.resolve("clean.vhd");
        vhd("create", clean, "--size", "1M").assertOk();
        Path broken = copyFixtures(dir, "dfvfs-image.vhd").get(0);
        Path missing = dir.resolve("missing.vhd");

        assertEquals(ExitCodes.OK, vhd("check", clean, warned).exit());
        Result errors = vhd("check", clean, broken, warned);
        assertEquals(ExitCodes.FAILURE, errors.exit());
        assertTrue(errors.out().contains(clean + ": clean"), errors.out());
        assertTrue(errors.out().contains(broken + ": 1 problem (1 error, 0 warnings)"), errors.out());
        assertTrue(errors.out().contains(warned + ": 3 warnings, no errors"), errors.out());

        Result unreadable = vhd("check", "--json", clean, missing, broken);
        assertEquals(ExitCodes.USAGE, unreadable.exit());
        assertEquals("vhdstream: IO_ERROR: no such file: " + missing, unreadable.err().strip());
        List<String> docs = unreadable.outLines();
        assertEquals(3, docs.size(), "one JSON document per file: " + unreadable.out());
        assertTrue(JSON.readTree(docs.get(0)).get("clean").asBoolean());
        JsonNode error = JSON.readTree(docs.get(1));
        assertEquals(missing.toString(), error.get("file").asText());
        assertEquals("IO_ERROR", error.get("error").get("code").asText());
        assertEquals("FOOTER_CHECKSUM", JSON.readTree(docs.get(2)).get("problems").get(0).get("code").asText());
    }

    @Test
    void unreadableIsTwoAndNotAVhdIsOne() throws Exception {
        Path junk = dir.resolve("junk.vhd");
        Files.write(junk, new byte[4096]);
        assertEquals(ExitCodes.FAILURE, vhd("check", junk).exit());
        assertEquals(ExitCodes.USAGE, vhd("check", dir).exit());
    }

    @Test
    void infoOnSeveralFilesGoesOnPastAFailure() throws Exception {
        Path top = vhdLibChain();
        Path missing = dir.resolve("missing.vhd");
        Result r = vhd("info", "--json", top, missing, dir.resolve("base.vhd"));
        assertEquals(ExitCodes.FAILURE, r.exit());
        List<String> docs = r.outLines();
        assertEquals(3, docs.size(), r.out());
        JsonNode first = JSON.readTree(docs.get(0));
        assertEquals(1, first.get("version").asInt());
        assertEquals(List.of(top.toString(), dir.resolve("child.vhd").toRealPath().toString(),
                dir.resolve("base.vhd").toRealPath().toString()), texts(first.get("chain").get("layers")));
        assertEquals("PARENT_TIMESTAMP_MISMATCH", first.get("chain").get("warnings").get(0).get("code").asText());
        assertEquals("IO_ERROR", JSON.readTree(docs.get(1)).get("error").get("code").asText());
        assertEquals("dynamic", JSON.readTree(docs.get(2)).get("type").asText());
        assertTrue(r.err().startsWith("vhdstream: IO_ERROR: "), r.err());
    }

    @Test
    void errorsAreJsonOnStdoutWithJson() throws Exception {
        Result r = vhd("info", "--json", dir.resolve("missing.vhd"));
        assertEquals(ExitCodes.FAILURE, r.exit());
        JsonNode n = JSON.readTree(r.out());
        assertEquals(1, n.get("version").asInt());
        assertEquals("IO_ERROR", n.get("error").get("code").asText());
        assertTrue(n.get("error").get("message").asText().contains("missing.vhd"));
        assertTrue(r.err().startsWith("vhdstream: IO_ERROR: "), "the one-line error stays on stderr");
        Result usage = vhd("changed", "--json", "--bogus", dir.resolve("x.vhd"));
        assertEquals(ExitCodes.USAGE, usage.exit());
        assertEquals("USAGE", JSON.readTree(usage.out()).get("error").get("code").asText());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
