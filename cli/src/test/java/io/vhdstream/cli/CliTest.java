package io.vhdstream.cli;

import io.vhdstream.cli.CliRunner.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.vhdstream.cli.CliRunner.run;
import static io.vhdstream.cli.CliRunner.vhd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command tree, help, exit codes and the error handler, through the same factory as {@link Main}. */
class CliTest {
    static final List<String> VERBS = List.of("create", "snapshot", "info", "check", "read", "write", "export", "import",
            "changed", "coalesce", "repair", "rebase", "compare", "map", "convert", "resize", "measure");

    @Test
    void theVhdGroupHasExactlyTheDocumentedVerbs() {
        CommandLine cli = Cli.commandLine(new Terminal(InputStream.nullInputStream(), new ByteArrayOutputStream(),
                new ByteArrayOutputStream(), false));
        List<String> verbs = new ArrayList<>(cli.getSubcommands().get("vhd").getSubcommands().keySet());
        verbs.remove("help");
        assertEquals(VERBS, verbs);
    }

    @Test
    void everyVerbHasHelp() {
        for (String verb : VERBS) {
            Result r = run("vhd", verb, "--help").assertOk();
            assertTrue(r.out().startsWith("Usage: vhdstream vhd " + verb), () -> verb + " help: " + r.out());
            assertTrue(r.out().contains("--help"), verb);
        }
        Result top = run("--help").assertOk();
        assertTrue(top.out().contains("Exit codes:"), top.out());
        assertTrue(top.out().contains("vhd"), top.out());
    }

    @Test
    void checkHelpDocumentsItsExitCodes() {
        String help = run("vhd", "check", "--help").assertOk().out();
        assertTrue(help.contains("0   No errors: every file is clean or has only warnings"), help);
        assertTrue(help.contains("1   Errors were found"), help);
        assertTrue(help.contains("2   A file is missing or cannot be read"), help);
    }

    @Test
    void versionComesFromTheManifestOrSaysDevelopment() {
        Result r = run("--version").assertOk();
        assertTrue(r.out().startsWith("vhdstream "), r.out());
    }

    @Test
    void missingCommandOrVerbIsAUsageError() {
        run().assertError(ExitCodes.USAGE, "USAGE");
        Result r = run("vhd").assertError(ExitCodes.USAGE, "USAGE");
        assertTrue(r.err().contains("create") && r.err().contains("repair"), r.err());
    }

    @Test
    void unknownVerbSuggestsTheNearestOne() {
        Result r = run("vhd", "inf", "x.vhd").assertError(ExitCodes.USAGE, "USAGE");
        assertTrue(r.err().contains("did you mean"), r.err());
        assertTrue(r.err().contains("info"), r.err());
        assertTrue(r.err().contains("'vhdstream vhd --help'"), r.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Result r = run("vhd", "info", "--bogus", "x.vhd").assertError(ExitCodes.USAGE, "USAGE");
        assertTrue(r.err().contains("--bogus"), r.err());
        assertTrue(r.err().contains("'vhdstream vhd info --help'"), r.err());
    }

    @Test
    void debugPrintsTheStackTraceAfterTheLine(@TempDir Path dir) {
        Path missing = dir.resolve("missing.vhd");
        for (String[] args : List.of(new String[] {"--debug", "vhd", "info", missing.toString()},
                new String[] {"vhd", "info", "--debug", missing.toString()})) {
            Result r = run(args);
            assertEquals(ExitCodes.FAILURE, r.exit());
            List<String> lines = r.err().lines().toList();
            assertTrue(lines.get(0).startsWith("vhdstream: IO_ERROR: no such file: "), r.err());
            assertTrue(lines.size() > 2, "stack trace expected with --debug: " + r.err());
            assertTrue(r.err().contains("\tat io.vhdstream."), r.err());
        }
    }

    @Test
    void withoutDebugTheSameErrorIsOneLine(@TempDir Path dir) {
        vhd("info", dir.resolve("missing.vhd")).assertError(ExitCodes.FAILURE, "IO_ERROR");
    }

    @Test
    void controlCharactersInMessagesAreEscaped(@TempDir Path dir) {
        Result r = vhd("info", dir.resolve("evil\u001b[31m\nname.vhd"));
        r.assertError(ExitCodes.FAILURE, "IO_ERROR");
        assertFalse(r.err().contains("\u001b"), r.err());
        assertTrue(r.err().contains("evil\\x1b[31m name.vhd"), r.err()); // escaped, and kept on one line
    }
}
