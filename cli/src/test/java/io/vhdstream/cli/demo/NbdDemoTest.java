package io.vhdstream.cli.demo;

import io.vhdstream.cli.CliRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code demo --nbd} end to end (issue 10's end-to-end test): qemu-img and qemu-io write through the NBD server
 * into the log, the topology seals the layers, the source connector feeds the replica sink, and every snapshot
 * equals what the client wrote, in the layers, the replica and a rebuild, each also read back over NBD.
 */
class NbdDemoTest {
    @Test
    void writesThroughNbdReachEveryStageAsTheClientWroteThem(@TempDir Path dir) throws Exception {
        assertTrue(NbdDemoWriter.missingTools().isEmpty(),
                "needs qemu-utils and libnbd-bin (./run-tests installs them)");
        CliRunner.Result r = CliRunner.run("demo", "--nbd", "--size", "16M", "--snapshots", "4", "--retain", "2", "--seed", "11",
                "--keep", dir.resolve("keep").toString());
        String text = r.out();
        r.assertOk();
        for (String line : new String[] {
            "OK   materialised chain equals the model at every retained snapshot",
            "2/2 retained of 4 snapshots",   // --retain 2: merges at the source and in the replica
            "OK   replica chain equals the source at every retained snapshot",
            "OK   rebuild from the log equals the source at every retained snapshot",
            "OK   every layer passes check (source and replica)",
            "OK   no source errors and no failed replica layers",
            "OK   NBD exports (layers, replica, rebuild) read as written",
            "6/6 snapshot exports",
            "NBD writes (qemu-img, qemu-io)",
            "demo: ALL CHECKS PASSED"}) {
            assertTrue(text.contains(line), "missing '" + line + "' in:\n" + text);
        }
    }
}
