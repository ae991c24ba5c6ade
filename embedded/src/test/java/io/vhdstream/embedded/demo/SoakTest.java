package io.vhdstream.embedded.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The soak for 36 s (the smoke test of {@code vhdstream soak}; the real runs are 30 minutes and more, see
 * docs/benchmarks.md): six snapshots with three retained (merges at the source and in the replica), the topology or
 * the Connect worker in its child JVM killed with SIGKILL and back, the table printed, and every check against the
 * model holds.
 */
class SoakTest {
    @TempDir
    Path dir;

    @Test
    void aShortSoakOfWritesAndKillsPassesEveryCheck() throws Exception {
        StringWriter buf = new StringWriter();
        PrintWriter out = new PrintWriter(buf, true);
        SoakOptions options = new SoakOptions(Duration.ofSeconds(36), 3, 1, 16L << 20, 3, 256 << 10, Duration.ofSeconds(6),
                Duration.ofSeconds(12), 0, Duration.ofSeconds(12), dir.resolve("keep"));
        boolean ok = Soak.run(options, out);
        String text = buf.toString();
        System.out.println(text);
        assertTrue(ok, text);
        for (String line : new String[] {
            SoakTable.HEADER,
            "OK   0: retention kept 3 snapshots",
            "OK   0: materialised chain equals the model at every retained snapshot 3/3 retained of 6 snapshots",
            "OK   0: replica followed the merges",
            "OK   0: replica chain equals the source at every retained snapshot",
            "OK   0: rebuild from the log equals the source at every retained snapshot",
            "OK   every killed service came back",
            "soak: ALL CHECKS PASSED"}) {
            assertTrue(text.contains(line), "missing '" + line + "' in:\n" + text);
        }
        assertTrue(text.matches("(?s).*(topology|connect worker): [1-9]\\d* kills.*"), "nothing was killed:\n" + text);
        assertTrue(Files.isRegularFile(dir.resolve("keep/soak-table.txt")));
    }
}
