package io.vhdstream.cli.nbd;

import io.vhdstream.cli.ChildProcess;
import io.vhdstream.cli.CliRunner;
import io.vhdstream.embedded.EmbeddedBroker;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.produce.DiskCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vhdstream nbd serve} as users run it: a child process, read by qemu-img, stopped by SIGTERM. */
class NbdServeTest {
    @Test
    void servesASnapshotToQemuImgAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        assertTrue(new ProcessBuilder("sh", "-c", "command -v qemu-img").start().waitFor() == 0,
                "qemu-img is needed (./run-tests installs qemu-utils)");
        Path layers = dir.resolve("layers");
        byte[] data = new byte[64 * 1024];
        Arrays.fill(data, (byte) 0x5a);
        try (DiskLayers l = DiskLayers.under(layers, 2)) {
            l.apply(DiskCommands.create("web 1", 4 << 20, 2 << 20), new Position("t", 0, 0, 1000), false, DiskLayers.DISCARD);
            l.apply(DiskCommands.write("web 1", 1 << 20, data), new Position("t", 0, 1, 2000), false, DiskLayers.DISCARD);
            l.apply(DiskCommands.snapshot("web 1", "mon", null), new Position("t", 0, 2, 3000), false, DiskLayers.DISCARD);
        }
        int port = freePort();
        Path log = dir.resolve("serve.out");
        Process p = ChildProcess.vhdstream(dir, "nbd", "serve", "--layers", layers.toString(), "--listen", "127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitReady(p, log, port);
            Path raw = dir.resolve("mon.raw");
            Process q = new ProcessBuilder("qemu-img", "convert", "-f", "raw", "-O", "raw",
                    "nbd://127.0.0.1:" + port + "/web%201@mon", raw.toString()).redirectErrorStream(true).start();
            String qOut = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, q.waitFor(), qOut);
            byte[] want = new byte[4 << 20];
            System.arraycopy(data, 0, want, 1 << 20, data.length);
            assertArrayEquals(want, Files.readAllBytes(raw));
            p.destroy();   // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            String rest = read(log);
            assertEquals(0, p.exitValue(), rest);
            assertTrue(rest.contains("nbd stopped"), rest);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void readWriteDiskThroughQemuIoAndASnapshotOnDemand(@TempDir Path dir) throws Exception {
        assertTrue(new ProcessBuilder("sh", "-c", "command -v qemu-io").start().waitFor() == 0,
                "qemu-io is needed (./run-tests installs qemu-utils)");
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("kafka"), 0)) {
            broker.createTopics(java.util.Map.of("vhdstream-commands", 1));
            int port = freePort();
            Path log = dir.resolve("serve.out");
            Process p = ChildProcess.vhdstream(dir, "nbd", "serve", "--bootstrap-servers", broker.bootstrapServers(),
                    "--create", "vm=8M", "--state-dir", dir.resolve("state").toString(), "--listen", "127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                awaitReady(p, log, port);
                assertTrue(read(log).contains("read-write: vm"), read(log));
                Process q = new ProcessBuilder("qemu-io", "-f", "raw", "-c", "write -P 0x42 0 64k", "-c", "read -P 0x42 0 64k",
                        "nbd://127.0.0.1:" + port + "/vm").redirectErrorStream(true).start();
                String qOut = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, q.waitFor(), qOut);
                CliRunner.Result r = CliRunner.run("nbd", "snapshot", "--listen", "127.0.0.1:" + port, "--disk", "vm", "--id", "s1",
                        "--label", "first");
                assertEquals(0, r.exit(), r.toString());
                assertTrue(r.out().contains("snapshot s1 of disk vm at offset"), r.out());
                CliRunner.Result bad = CliRunner.run("nbd", "snapshot", "--listen", "127.0.0.1:" + port, "--disk", "nope", "--id", "s1");
                assertEquals(2, bad.exit(), bad.toString());
                p.destroy();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue(), read(log));
            } finally {
                p.destroyForcibly();
            }
            CliRunner.Result none = CliRunner.run("nbd", "snapshot", "--listen", "127.0.0.1:" + port, "--disk", "vm", "--id", "s2");
            assertEquals(1, none.exit(), none.toString());
            assertTrue(none.err().contains("no NBD admin endpoint"), none.err());
        }
    }

    private static void awaitReady(Process p, Path log, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(log).contains("nbd serving on 127.0.0.1:" + port)) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, () -> "no ready line: " + read(log));
            Thread.sleep(100);
        }
    }

    @Test
    void plaintextOnAnyAddressIsRefusedWithoutTheInsecureFlag(@TempDir Path dir) throws Exception {
        Process p = ChildProcess.vhdstream(dir, "nbd", "serve", "--listen", "0.0.0.0:" + freePort())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("--insecure-plaintext"), out);
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
