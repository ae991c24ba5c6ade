package io.vhdstream.cli.vhd;

import io.vhdstream.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static io.vhdstream.cli.CliRunner.runWithStdin;
import static io.vhdstream.cli.CliRunner.vhd;
import static io.vhdstream.cli.CliRunner.vhdArgs;
import static io.vhdstream.cli.vhd.ReadWriteTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** resize grows (zeros), shrinks only when asked, keeps images clean, and QEMU reads the result. */
class ResizeTest {
    @TempDir
    Path dir;

    private static byte[] all(Path f, long size) {
        return vhd("read", f, "--offset", "0", "--length", String.valueOf(size)).assertOk().stdout();
    }

    private static String qemuSize(Path f) throws Exception {
        Process p = new ProcessBuilder("qemu-img", "info", "-f", "vpc", "--output=json", f.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.replaceAll("(?s).*\"virtual-size\": (\\d+).*", "$1");
    }

    @Test
    void dynamicGrowsInPlaceAndBeyondItsBat() throws Exception {
        Path f = dir.resolve("d.vhd");
        vhd("create", f, "--size", "4M", "--block-size", "64K").assertOk();
        byte[] data = random(1 << 20, 1);
        runWithStdin(data, vhdArgs("write", f, "--offset", "0")).assertOk();
        // 4M in 64K blocks: 64 entries in one 512-byte BAT sector (room for 128): grows in place
        vhd("resize", f, "8M").assertOk();
        vhd("check", f).assertOk();
        assertEquals("8388608", qemuSize(f));
        // 1G needs 16384 entries: the BAT moves after the blocks
        vhd("resize", f, "+1016M").assertOk();
        vhd("check", f).assertOk();
        byte[] back = all(f, 2 << 20);
        assertArrayEquals(data, Arrays.copyOf(back, 1 << 20));
        assertArrayEquals(new byte[1 << 20], Arrays.copyOfRange(back, 1 << 20, 2 << 20));
        assertEquals(String.valueOf(1L << 30), qemuSize(f));
        runWithStdin(random(4096, 2), vhdArgs("write", f, "--offset", "1000M")).assertOk();
        vhd("check", f).assertOk();
    }

    @Test
    void shrinkingNeedsShrinkAndGrowingBackShowsZeros() throws Exception {
        Path f = dir.resolve("s.vhd");
        vhd("create", f, "--size", "4M", "--block-size", "1M").assertOk();
        runWithStdin(random(4 << 20, 3), vhdArgs("write", f, "--offset", "0")).assertOk();
        vhd("resize", f, "2M").assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        vhd("resize", "--shrink", f, "2M").assertOk();
        vhd("check", f).assertOk();
        vhd("resize", f, "4M").assertOk();
        assertArrayEquals(new byte[2 << 20], Arrays.copyOfRange(all(f, 4 << 20), 2 << 20, 4 << 20),
                "data cut off by the shrink does not come back");
        // A negative change is a size, not an option, as in qemu-img resize; a shrink still needs --shrink.
        vhd("resize", f, "-1M").assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        vhd("resize", f, "-1M", "--shrink").assertOk();
        assertEquals(String.valueOf(3 << 20), qemuSize(f));
        String bogus = vhd("resize", f, "--bogus").assertError(ExitCodes.USAGE, "INVALID_ARGUMENT").err();
        assertTrue(bogus.contains("'--bogus' is not a size"), bogus);
    }

    @Test
    void fixedGrowsWithZerosWhereTheFooterWas() throws Exception {
        Path f = dir.resolve("f.vhd");
        vhd("create", f, "--size", "1M", "--type", "fixed").assertOk();
        byte[] data = random(1 << 20, 4);
        runWithStdin(data, vhdArgs("write", f, "--offset", "0")).assertOk();
        vhd("resize", f, "2M").assertOk();
        vhd("check", f).assertOk();
        byte[] back = all(f, 2 << 20);
        assertArrayEquals(data, Arrays.copyOf(back, 1 << 20));
        assertArrayEquals(new byte[1 << 20], Arrays.copyOfRange(back, 1 << 20, 2 << 20));
        vhd("resize", "--shrink", f, "512K").assertOk();
        vhd("check", f).assertOk();
        assertArrayEquals(Arrays.copyOf(data, 512 << 10), all(f, 512 << 10));
    }

    @Test
    void aParentWithChildrenIsNotResized() {
        Path base = dir.resolve("base.vhd");
        vhd("create", base, "--size", "1M").assertOk();
        vhd("snapshot", base, dir.resolve("child.vhd")).assertOk();
        vhd("resize", base, "2M").assertError(ExitCodes.FAILURE, "HAS_CHILDREN");
        vhd("resize", "--force", base, "2M").assertOk();
        assertTrue(vhd("check", dir.resolve("child.vhd")).out().contains("CHAIN_SIZE_MISMATCH"));
    }
}
