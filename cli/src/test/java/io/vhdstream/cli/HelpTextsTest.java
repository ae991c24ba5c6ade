package io.vhdstream.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Help printed from the launcher's recording ({@link HelpTexts}) is, byte for byte, what picocli prints for the
 * same arguments: plain, and with ANSI styles as on a terminal; anything else is left to picocli.
 */
class HelpTextsTest {
    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty(HelpTexts.DIR_PROPERTY);
        System.clearProperty("picocli.ansi");
        System.clearProperty("picocli.usage.width");
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Cli.run(new Terminal(InputStream.nullInputStream(), out, err, false), args.toArray(new String[0]));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code args} run with the recording in {@link #dir}, and by picocli (no recording). */
    private Run[] both(List<String> args) {
        System.setProperty(HelpTexts.DIR_PROPERTY, dir.toString());
        Run served = run(args);
        System.clearProperty(HelpTexts.DIR_PROPERTY);
        return new Run[] {served, run(args)};
    }

    @Test
    void everyRecordedTextIsWhatPicocliPrints() throws Exception {
        assertEquals(List.of(), HelpTexts.record(dir));
        List<List<String>> requests = HelpTexts.requests();
        assertTrue(requests.size() > 80, "every command's --help and -h, every group's help and help VERB");
        assertTrue(requests.contains(List.of("vhd", "help", "measure")) && requests.contains(List.of("-h"))
                && requests.contains(List.of("help", "vhd")) && requests.contains(List.of("disk", "list", "--help")));
        List<String> differ = new ArrayList<>();
        for (List<String> args : requests) {
            Run[] r = both(args);
            if (!r[0].equals(r[1]) || r[1].exit() != 0 || r[1].out().isEmpty()) {
                differ.add(String.join(" ", args));
            }
            System.setProperty("picocli.ansi", "true");
            String styled = run(args).out();
            System.clearProperty("picocli.ansi");
            if (!styled.equals(Files.readString(HelpTexts.file(dir, args, true))) || !styled.contains("\u001B[")) {
                differ.add(String.join(" ", args) + " (ANSI)");
            }
        }
        assertEquals(List.of(), differ);
    }

    @Test
    void theRecordingIsWhatIsPrintedAndOnlyForItsRequests() throws Exception {
        List<String> info = List.of("vhd", "info", "--help");
        Files.writeString(HelpTexts.file(dir, info, false), "recorded\n");
        assertEquals("recorded\n", both(info)[0].out(), "a recorded text is printed as it is");
        // other arguments, a picocli setting of the user's, no recording: picocli prints it
        Files.writeString(HelpTexts.file(dir, List.of("vhd", "info", "--help", "x"), false), "recorded\n");
        Files.writeString(dir.resolve("..+x+--help.txt"), "recorded\n");
        for (List<String> args : List.of(List.of("vhd", "info", "--help", "x"), List.of("..", "x", "--help"), List.of("vhd", "map", "--help"),
                List.of("vhd", "info", "-V"), List.of("vhd", "-h", "info"))) {
            Run[] r = both(args);
            assertEquals(r[1], r[0], () -> String.join(" ", args));
        }
        // a reader that went away: exit 0 and nothing more, as picocli's own writer does
        System.setProperty(HelpTexts.DIR_PROPERTY, dir.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        java.io.OutputStream gone = new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("Broken pipe");
            }
        };
        assertEquals(0, Cli.run(new Terminal(InputStream.nullInputStream(), gone, err, false), info.toArray(new String[0])));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        System.clearProperty(HelpTexts.DIR_PROPERTY);
        System.setProperty("picocli.usage.width", "120");
        Run[] wide = both(info);
        assertEquals(wide[1], wide[0]);
        assertTrue(!wide[0].out().equals("recorded\n"));
    }
}
