package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliRunner;
import io.vhdstream.cli.CliRunner.Result;
import io.vhdstream.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.vhdstream.cli.CliRunner.run;
import static io.vhdstream.cli.CliRunner.runWithStdin;
import static io.vhdstream.cli.CliRunner.vhd;
import static io.vhdstream.cli.CliRunner.vhdArgs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadWriteTest {
    @TempDir
    Path dir;

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Path image(String name, String size) {
        Path f = dir.resolve(name);
        vhd("create", f, "--size", size).assertOk();
        return f;
    }

    @Test
    void writeFromStdinThenReadBackEqual() {
        Path f = image("d.vhd", "16M");
        // Larger than one 4 MiB chunk, starting mid-block, crossing block boundaries.
        byte[] data = random(9 * 1024 * 1024 + 512 * 3, 1);
        Result w = runWithStdin(data, vhdArgs("write", f, "--offset", "1536K")).assertOk();
        assertEquals("wrote " + data.length + " bytes (9.0 MiB) to " + f + " at offset " + (1536 * 1024), w.err().strip());
        Result r = vhd("read", f, "--offset", "1536K", "--length", String.valueOf(data.length)).assertOk();
        assertArrayEquals(data, r.stdout());
        Result zeros = vhd("read", f, "--offset", "0", "--length", "1M").assertOk();
        assertArrayEquals(new byte[1 << 20], zeros.stdout());
    }

    @Test
    void writeCopesWithShortReadsFromAPipe() {
        Path f = image("p.vhd", "8M");
        byte[] data = random(5 * 1024 * 1024, 2);
        InputStream trickle = new InputStream() {
            private int pos;

            @Override
            public int read() {
                return pos < data.length ? data[pos++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= data.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, 1000), data.length - pos); // never sector-sized
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        CliRunner.run(trickle, false, vhdArgs("write", f, "--offset", "512")).assertOk();
        assertArrayEquals(data, vhd("read", f, "--offset", "512", "--length", String.valueOf(data.length)).assertOk().stdout());
    }

    @Test
    void writeFromAnInputFileAndReadToAnOutputFile() throws Exception {
        Path f = image("i.vhd", "4M");
        Path in = dir.resolve("in.bin");
        Path out = dir.resolve("out.bin");
        byte[] data = random(64 * 1024, 3);
        Files.write(in, data);
        vhd("write", f, "--offset", "4K", "--input", in).assertOk();
        Result r = vhd("read", f, "--offset", "4096", "--length", "64K", "--output", out).assertOk();
        assertEquals(0, r.stdout().length, "nothing on stdout with --output");
        assertArrayEquals(data, Files.readAllBytes(out));
    }

    @Test
    void readsThroughTheChain() {
        Path base = image("base.vhd", "4M");
        Path child = dir.resolve("child.vhd");
        byte[] a = random(8192, 4);
        byte[] b = random(1024, 5);
        runWithStdin(a, vhdArgs("write", base, "--offset", "0")).assertOk();
        vhd("snapshot", base, child).assertOk();
        runWithStdin(b, vhdArgs("write", child, "--offset", "1024")).assertOk();
        byte[] expected = a.clone();
        System.arraycopy(b, 0, expected, 1024, b.length);
        assertArrayEquals(expected, vhd("read", child, "--offset", "0", "--length", "8K").assertOk().stdout());
        assertArrayEquals(a, vhd("read", base, "--offset", "0", "--length", "8K").assertOk().stdout(), "parent untouched");
    }

    @Test
    void misalignedOffsetsAndLengthsAreUsageErrors() {
        Path f = image("m.vhd", "1M");
        Result r = vhd("read", f, "--offset", "100", "--length", "512").assertError(ExitCodes.USAGE, "UNALIGNED");
        assertTrue(r.err().contains("--offset 100 is not a multiple of 512"), r.err());
        vhd("read", f, "--offset", "0", "--length", "1000").assertError(ExitCodes.USAGE, "UNALIGNED");
        runWithStdin(new byte[512], vhdArgs("write", f, "--offset", "513")).assertError(ExitCodes.USAGE, "UNALIGNED");
        vhd("read", f, "--offset", "-512", "--length", "512").assertError(ExitCodes.USAGE, "USAGE");
    }

    @Test
    void aPartialLastSectorFromStdinIsAnErrorAfterTheWholeSectors() {
        Path f = image("s.vhd", "1M");
        byte[] data = random(512 * 3 + 100, 6);
        Result r = runWithStdin(data, vhdArgs("write", f, "--offset", "0")).assertError(ExitCodes.USAGE, "UNALIGNED");
        assertTrue(r.err().contains("partial sector of 100 bytes; the 1536 bytes before it were written"), r.err());
        assertArrayEquals(Arrays.copyOf(data, 1536), vhd("read", f, "--offset", "0", "--length", "1536").assertOk().stdout());
    }

    @Test
    void anUnalignedInputFileIsRefusedBeforeWriting() throws Exception {
        Path f = image("u.vhd", "1M");
        Path in = dir.resolve("odd.bin");
        Files.write(in, random(1000, 7));
        Result r = vhd("write", f, "--offset", "0", "--input", in).assertError(ExitCodes.USAGE, "UNALIGNED");
        assertTrue(r.err().contains("nothing was written"), r.err());
        assertEquals(List.of("total 0 bytes in 0 extents"), vhd("changed", f).assertOk().outLines(), "nothing was written");
    }

    @Test
    void outOfRangeFails() throws Exception {
        Path f = image("o.vhd", "1M");
        vhd("read", f, "--offset", "1M", "--length", "512").assertError(ExitCodes.FAILURE, "OUT_OF_RANGE");
        Path in = dir.resolve("big.bin");
        Files.write(in, new byte[4096]);
        vhd("write", f, "--offset", "1022K", "--input", in).assertError(ExitCodes.FAILURE, "OUT_OF_RANGE");
        runWithStdin(new byte[8192], vhdArgs("write", f, "--offset", "1022K")).assertError(ExitCodes.FAILURE, "OUT_OF_RANGE");
    }

    @Test
    void readRefusesToOverwriteAnImageOfTheChain() throws Exception {
        Path f = image("c.vhd", "1M");
        long size = Files.size(f);
        vhd("read", f, "--offset", "0", "--length", "512", "--output", f).assertError(ExitCodes.FAILURE, "ALREADY_EXISTS");
        vhd("read", f, "--offset", "0", "--length", "512", "--output", f, "--force").assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        assertEquals(size, Files.size(f));
        vhd("check", f).assertOk();
    }

    @Test
    void readRefusesToPrintBinaryOnATerminal() {
        Path f = image("t.vhd", "1M");
        Result r = run(new byte[0], true, vhdArgs("read", f, "--offset", "0", "--length", "512"));
        r.assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        assertEquals(0, r.stdout().length);
    }

    @Test
    void writeToAMissingImageFails() {
        runWithStdin(new byte[512], vhdArgs("write", dir.resolve("none.vhd"), "--offset", "0"))
                .assertError(ExitCodes.FAILURE, "IO_ERROR");
    }
}
