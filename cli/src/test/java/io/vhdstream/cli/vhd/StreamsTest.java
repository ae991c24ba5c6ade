package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliRunner.Result;
import io.vhdstream.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.VhdImage;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.vhdstream.cli.CliRunner.run;
import static io.vhdstream.cli.CliRunner.runWithStdin;
import static io.vhdstream.cli.CliRunner.vhd;
import static io.vhdstream.cli.CliRunner.vhdArgs;
import static io.vhdstream.cli.vhd.ReadWriteTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code -} is stdin or stdout; summaries stay off stdout; pipes get the disk front to back. */
class StreamsTest {
    @TempDir
    Path dir;

    private Path chain() {
        Path base = dir.resolve("base.vhd");
        Path child = dir.resolve("child.vhd");
        vhd("create", base, "--size", "4M").assertOk();
        runWithStdin(random(8192, 1), vhdArgs("write", base, "--offset", "1M")).assertOk();
        vhd("snapshot", base, child).assertOk();
        runWithStdin(random(1024, 2), vhdArgs("write", child, "--offset", "3M")).assertOk();
        return child;
    }

    @Test
    void exportToStdoutIsTheWholeDiskAndNothingElse() throws Exception {
        Path child = chain();
        Path raw = dir.resolve("disk.raw");
        vhd("export", child, raw).assertOk();
        byte[] expected = Files.readAllBytes(raw);
        for (String name : new String[] {"-", "/dev/stdout"}) {
            Result r = vhd("export", child, name).assertOk();
            assertArrayEquals(expected, r.stdout(), "stdout is exactly the disk for " + name);
            assertTrue(r.err().startsWith("exported " + child + " (2 layers) to stdout"), r.err());
        }
        assertEquals("", vhd("export", "-q", child, "-").assertOk().err(), "-q: no summary");
    }

    @Test
    void exportToAFifoWritesFrontToBack() throws Exception {
        Path child = chain();
        byte[] expected = vhd("export", child, "-").assertOk().stdout();
        Path fifo = dir.resolve("pipe");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        vhd("export", child, fifo).assertOk();
        assertArrayEquals(expected, reader.get(60, TimeUnit.SECONDS));
    }

    @Test
    void importFromStdinAndReadToStdout() throws Exception {
        byte[] disk = new byte[2 << 20];
        System.arraycopy(random(4096, 9), 0, disk, 1 << 20, 4096);
        Path img = dir.resolve("in.vhd");
        runWithStdin(disk, vhdArgs("import", "-", img, "--size", "2M")).assertOk();
        assertArrayEquals(disk, vhd("read", img, "--offset", "0", "--length", "2M", "--output", "-").assertOk().stdout());
        runWithStdin(disk, vhdArgs("import", "-", dir.resolve("short.vhd"), "--size", "4M"))
                .assertError(ExitCodes.FAILURE, "FILE_TOO_SMALL");
        runWithStdin(disk, vhdArgs("import", "-", dir.resolve("long.vhd"), "--size", "1M"))
                .assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        vhd("import", "-", dir.resolve("nosize.vhd")).assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        assertTrue(Files.notExists(dir.resolve("short.vhd")) && Files.notExists(dir.resolve("long.vhd")));
    }

    @Test
    void importFromStdinWithAParentStoresOnlyWhatDiffers() throws Exception {
        Path base = chain(); // 4 MiB: data at 1 MiB (base) and 3 MiB (child)
        byte[] disk = vhd("export", base, "-").assertOk().stdout();
        byte[] change = random(1536, 7);
        System.arraycopy(change, 0, disk, (2 << 20) + 512, change.length);
        Path img = dir.resolve("next.vhd");
        runWithStdin(disk, vhdArgs("import", "-", img, "--parent", base)).assertOk();
        assertArrayEquals(disk, vhd("export", img, "-").assertOk().stdout());
        try (VhdImage child = VhdImage.open(img)) {
            assertEquals(List.of(new Extent((2 << 20) + 512, 1536)), child.presentExtents(), "only the changed sectors");
        }
        runWithStdin(disk, vhdArgs("import", "-", dir.resolve("sized.vhd"), "--parent", base, "--size", "4M")).assertOk();
        runWithStdin(disk, vhdArgs("import", "-", dir.resolve("wrong.vhd"), "--parent", base, "--size", "2M"))
                .assertError(ExitCodes.FAILURE, "CHAIN_SIZE_MISMATCH");
        runWithStdin(Arrays.copyOf(disk, 3 << 20), vhdArgs("import", "-", dir.resolve("short.vhd"), "--parent", base))
                .assertError(ExitCodes.FAILURE, "FILE_TOO_SMALL");
        runWithStdin(Arrays.copyOf(disk, 5 << 20), vhdArgs("import", "-", dir.resolve("long.vhd"), "--parent", base))
                .assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        for (String name : new String[] {"wrong.vhd", "short.vhd", "long.vhd"}) {
            assertTrue(Files.notExists(dir.resolve(name)), name + " was not left behind");
        }
    }

    @Test
    void writeFromDashIsStdin() {
        Path img = dir.resolve("w.vhd");
        vhd("create", img, "--size", "1M").assertOk();
        byte[] data = random(2048, 4);
        runWithStdin(data, vhdArgs("write", img, "--offset", "512", "--input", "-")).assertOk();
        assertArrayEquals(data, vhd("read", img, "--offset", "512", "--length", "2048").assertOk().stdout());
        Result r = run(new byte[0], true, vhdArgs("export", img, "-"));
        r.assertError(ExitCodes.USAGE, "INVALID_ARGUMENT"); // not onto a terminal
    }
}
