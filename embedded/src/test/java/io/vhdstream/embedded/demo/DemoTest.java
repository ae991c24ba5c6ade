package io.vhdstream.embedded.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo end to end, in process, on a small disk: every stage runs for real and every check holds. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void smallDemoPassesEveryCheck() throws Exception {
        StringWriter buf = new StringWriter();
        PrintWriter out = new PrintWriter(buf, true);
        boolean ok = Demo.run(new DemoOptions(16L << 20, 16L << 20, 6, 7, dir.resolve("keep"), null, false, 3), out);
        String text = buf.toString();
        assertTrue(ok, text);
        for (String line : new String[] {
            "OK   retention kept 3 snapshots, chain depth stayed <= 4",
            "OK   replica followed the merges, chain depth <= 4",
            "OK   materialised chain equals the model at every retained snapshot",
            "3/3 retained of 6 snapshots",   // exactly 6 although 256 writes do not divide by 6
            "OK   replica chain equals the source at every retained snapshot",
            "OK   rebuild from the log equals the source at every retained snapshot",
            "OK   rebuild at ",
            "OK   every layer passes check (source and replica)",
            "demo: ALL CHECKS PASSED"}) {
            assertTrue(text.contains(line), "missing '" + line + "' in:\n" + text);
        }
        assertTrue(Files.isDirectory(dir.resolve("keep")), "--keep leaves the work directory");
    }
}
