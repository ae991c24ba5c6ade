package io.vhdstream.cli.vhd;

import io.vhdstream.cli.ChildProcess;
import io.vhdstream.cli.CliRunner.Result;
import io.vhdstream.cli.ExitCodes;
import io.vhdstream.vhd.ProblemCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.vhdstream.cli.CliRunner.copyFixtures;
import static io.vhdstream.cli.CliRunner.run;
import static io.vhdstream.cli.CliRunner.runWithStdin;
import static io.vhdstream.cli.CliRunner.vhd;
import static io.vhdstream.cli.CliRunner.vhdArgs;
import static io.vhdstream.cli.vhd.ReadWriteTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Nothing the user did not name as output is destroyed; outputs appear only when complete. */
class SafeOutputTest {
    @TempDir
    Path dir;

    private Path image(String name, String size) {
        Path f = dir.resolve(name);
        vhd("create", f, "--size", size).assertOk();
        runWithStdin(random(65536, 7), vhdArgs("write", f, "--offset", "64K")).assertOk();
        return f;
    }

    @Test
    void existingFilesAreReplacedOnlyWithForce() throws Exception {
        Path img = image("a.vhd", "1M");
        Path other = dir.resolve("other.vhd");
        vhd("create", other, "--size", "2M").assertOk();
        byte[] before = Files.readAllBytes(other);
        vhd("export", img, other).assertError(ExitCodes.FAILURE, ProblemCode.ALREADY_EXISTS.name());
        vhd("read", img, "--offset", "0", "--length", "4K", "--output", other).assertError(ExitCodes.FAILURE, "ALREADY_EXISTS");
        Path raw = dir.resolve("a.raw");
        vhd("export", img, raw).assertOk();
        vhd("import", raw, other).assertError(ExitCodes.FAILURE, "ALREADY_EXISTS");
        vhd("create", other, "--size", "1M").assertError(ExitCodes.FAILURE, "ALREADY_EXISTS");
        run("rebuild", "--disk", "d", "--until", "s", "--out", dir.resolve("out").toString(), "--flat", other.toString())
                .assertError(ExitCodes.FAILURE, "ALREADY_EXISTS");
        assertArrayEquals(before, Files.readAllBytes(other), "the unrelated image is untouched");

        vhd("export", "--force", img, other).assertOk();
        assertArrayEquals(Files.readAllBytes(raw), Files.readAllBytes(other));
        vhd("import", "-f", raw, other).assertOk();
        vhd("check", other).assertOk();
        assertEquals(List.of(), leftovers(), "no temporary files stay behind");
    }

    @Test
    void rawOutputsWithAndWithoutSyncHoldTheSameDisk() throws Exception {
        Path img = image("s.vhd", "1M");
        Path cached = dir.resolve("cached.raw");
        Path synced = dir.resolve("synced.raw");
        Path converted = dir.resolve("converted.raw");
        vhd("export", img, cached).assertOk();
        vhd("export", "--sync", img, synced).assertOk();
        vhd("convert", "-O", "raw", "--sync", img, converted).assertOk();
        assertEquals(1 << 20, Files.size(synced));
        assertArrayEquals(Files.readAllBytes(cached), Files.readAllBytes(synced));
        assertArrayEquals(Files.readAllBytes(cached), Files.readAllBytes(converted));
        vhd("convert", "--sync", img, dir.resolve("x.vhd")).assertOk(); // VHD outputs are durable anyway
        assertEquals(List.of(), leftovers(), "no temporary files stay behind");
    }

    @Test
    void containersAreNotImportedAsRawDisks() throws Exception {
        Path vhdFile = image("v.vhd", "1M");
        Path qcow2 = dir.resolve("d.qcow2");
        Path vmdk = dir.resolve("d.vmdk");
        Path vhdx = dir.resolve("d.vhdx");
        for (Object[] c : new Object[][] {{qcow2, "qcow2"}, {vmdk, "vmdk"}, {vhdx, "vhdx"}}) {
            Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", (String) c[1], c[0].toString(), "1M")
                    .redirectErrorStream(true).start();
            assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        Path fixedVhd = dir.resolve("fixed.vhd");
        vhd("create", fixedVhd, "--size", "1M", "--type", "fixed").assertOk();
        for (Object[] c : new Object[][] {{vhdFile, "VHD"}, {fixedVhd, "VHD"}, {qcow2, "qcow2"}, {vmdk, "VMDK"}, {vhdx, "VHDX"}}) {
            Path src = (Path) c[0];
            Path out = dir.resolve("out.vhd");
            Result r = vhd("import", src, out).assertError(ExitCodes.FAILURE, "NOT_RAW");
            assertTrue(r.err().contains(src + " is a " + c[1] + " image, not a raw disk"), r.err());
            assertFalse(Files.exists(out));
        }
        Path out = dir.resolve("bytes.vhd");
        vhd("import", "--format", "raw", fixedVhd, out, "--size", "1").assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        Path padded = dir.resolve("qcow2.raw");
        Files.write(padded, java.util.Arrays.copyOf(Files.readAllBytes(qcow2), (int) ((Files.size(qcow2) + 511) / 512 * 512)));
        vhd("import", "--format", "raw", padded, out).assertOk();
    }

    @Test
    void writesIntoAParentWithChildrenNeedForce() throws Exception {
        Path base = image("base.vhd", "1M");
        Path child = dir.resolve("child.vhd");
        vhd("snapshot", base, child).assertOk();
        byte[] childBefore = vhd("read", child, "--offset", "0", "--length", "1M").assertOk().stdout();
        Result r = runWithStdin(new byte[512], vhdArgs("write", base, "--offset", "64K"));
        r.assertError(ExitCodes.FAILURE, "HAS_CHILDREN");
        assertTrue(r.err().contains(base + " is the parent of " + child.toRealPath()), r.err());
        assertArrayEquals(childBefore, vhd("read", child, "--offset", "0", "--length", "1M").assertOk().stdout());
        runWithStdin(new byte[512], vhdArgs("write", "--force", base, "--offset", "64K")).assertOk();
        runWithStdin(new byte[512], vhdArgs("write", child, "--offset", "64K")).assertOk(); // a leaf is free to write
    }

    @Test
    void childrenInAnAllowedRootCountToo() throws Exception {
        Path base = image("base.vhd", "1M");
        Path sub = Files.createDirectory(dir.resolve("elsewhere"));
        vhd("snapshot", base, sub.resolve("child.vhd")).assertOk();
        runWithStdin(new byte[512], vhdArgs("write", base, "--offset", "0")).assertOk();
        runWithStdin(new byte[512], vhdArgs("write", base, "--offset", "0", "--allow-root", sub))
                .assertError(ExitCodes.FAILURE, "HAS_CHILDREN");
    }

    @Test
    void snapshotOfAParentAnotherProcessHoldsIsRefused() throws Exception {
        Path base = image("base.vhd", "1M");
        // python's lockf is an fcntl lock, the kind Java's FileLock takes: a real writer in another process.
        Process holder = new ProcessBuilder("/usr/bin/python3", "-c", "import fcntl,sys,time\n"
                + "f=open(sys.argv[1],'r+b'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
                base.toString()).start();
        try {
            assertEquals("locked", new String(holder.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));
            Path child = dir.resolve("child.vhd");
            vhd("snapshot", base, child).assertError(ExitCodes.FAILURE, "IMAGE_LOCKED");
            assertFalse(Files.exists(child));
        } finally {
            holder.destroyForcibly().waitFor();
        }
        vhd("snapshot", base, dir.resolve("child.vhd")).assertOk();
    }

    @Test
    void anImportKilledBySigtermLeavesNothing() throws Exception {
        Process p = ChildProcess.start(dir, "vhd", "import", "-", "out.vhd", "--size", "64M");
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(random(1 << 20, 3));
            stdin.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (leftovers().isEmpty() && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(20);
            }
            assertEquals(1, leftovers().size(), "the import is under way, under a temporary name: " + leftovers());
            assertTrue(leftovers().get(0).startsWith(".out.vhd.partial-"), leftovers().toString());
            // SIGTERM alone: Process.destroy() also closes the child's stdin right after the signal, and the
            // import could then read the end of its input (and fail with its own status) before the JVM
            // handles the signal
            assertTrue(p.toHandle().destroy());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertEquals(143, p.exitValue(), "killed by SIGTERM");
        assertFalse(Files.exists(dir.resolve("out.vhd")), "no image that looks complete");
        assertEquals(List.of(), leftovers(), "and no temporary file either");
    }

    @Test
    void exportToAClosedPipeIsNotAnError() throws Exception {
        Path img = image("big.vhd", "64M");
        runWithStdin(random(8 << 20, 5), vhdArgs("write", img, "--offset", "0")).assertOk();
        Process p = ChildProcess.start(dir, "vhd", "export", img.toString(), "-");
        try (InputStream out = p.getInputStream()) {
            assertEquals(4096, out.readNBytes(4096).length); // `| head -c 4096`
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), err);
        assertFalse(err.contains("vhdstream:"), err);
    }

    private List<String> leftovers() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".partial-")).sorted().toList();
        }
    }
}
