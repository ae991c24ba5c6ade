package io.vhdstream.cli.vhd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vhdstream.cli.CliRunner;
import io.vhdstream.cli.CliRunner.Result;
import io.vhdstream.cli.ExitCodes;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.image.VhdImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.vhdstream.cli.CliRunner.fixture;
import static io.vhdstream.cli.CliRunner.runWithStdin;
import static io.vhdstream.cli.CliRunner.vhd;
import static io.vhdstream.cli.CliRunner.vhdArgs;
import static io.vhdstream.cli.vhd.ReadWriteTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** export, import, changed, coalesce. */
class ConvertTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** base (dynamic, 6 MiB) with data at 0 and 3 MiB; child with data at 1 MiB-512 (crossing nothing) and 5 MiB. */
    private Path chain() {
        Path base = dir.resolve("base.vhd");
        Path child = dir.resolve("child.vhd");
        vhd("create", base, "--size", "6M").assertOk();
        runWithStdin(random(4096, 10), vhdArgs("write", base, "--offset", "0")).assertOk();
        runWithStdin(random(8192, 11), vhdArgs("write", base, "--offset", "3M")).assertOk();
        vhd("snapshot", base, child).assertOk();
        runWithStdin(random(1024, 12), vhdArgs("write", child, "--offset", String.valueOf((1 << 20) - 512))).assertOk();
        runWithStdin(random(512, 13), vhdArgs("write", child, "--offset", "5M")).assertOk();
        return child;
    }

    private static byte[] readAll(Path image, long size) {
        return vhd("read", image, "--offset", "0", "--length", String.valueOf(size)).assertOk().stdout();
    }

    /** The "extents" array of {@code changed --json}, compact. */
    private static String extents(Path image) throws Exception {
        return JSON.readTree(vhd("changed", "--json", image).assertOk().out()).get("extents").toString();
    }

    @Test
    void exportWritesTheWholeDiskThroughTheChain() throws Exception {
        Path child = chain();
        Path raw = dir.resolve("disk.raw");
        Result r = vhd("export", child, raw).assertOk();
        assertEquals("exported " + child + " (2 layers) to " + raw + ": 6291456 bytes (6 MiB)", r.err().strip());
        assertEquals(0, r.stdout().length, "stdout carries only what was asked for");
        assertArrayEquals(readAll(child, 6 << 20), Files.readAllBytes(raw));
    }

    @Test
    void exportShowsProgressOnlyOnATerminal() {
        Path child = chain();
        Result quiet = vhd("export", child, dir.resolve("a.raw")).assertOk();
        assertFalse(quiet.err().contains("\r"), quiet.err());
        Result tty = CliRunner.run(new byte[0], true, vhdArgs("export", child, dir.resolve("b.raw")));
        assertEquals(0, tty.exit(), tty.err());
        assertTrue(tty.err().startsWith("\rexport ["), tty.err());
        assertTrue(tty.err().contains("100% 6 MiB / 6 MiB"), tty.err());
        assertTrue(tty.err().endsWith(System.lineSeparator()), "the bar's line is ended");
        Result forced = vhd("export", "-p", child, dir.resolve("c.raw")).assertOk();
        assertTrue(forced.err().startsWith("\rexport ["), "-p draws the bar without a terminal: " + forced.err());
        Result quietTty = CliRunner.run(new byte[0], true, vhdArgs("export", "-q", child, dir.resolve("d.raw")));
        assertEquals("", quietTty.err(), "-q: neither bar nor summary, even on a terminal");
    }

    @Test
    void exportRefusesToOverwriteALayer() throws Exception {
        Path child = chain();
        Path base = dir.resolve("base.vhd");
        long size = Files.size(base);
        vhd("export", child, base).assertError(ExitCodes.FAILURE, "ALREADY_EXISTS");
        Result r = vhd("export", "--force", child, base).assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        assertTrue(r.err().contains("refusing to overwrite"), r.err());
        assertEquals(size, Files.size(base));
        vhd("check", base).assertOk();
    }

    @Test
    void exportOfAMissingParentFails() {
        vhd("export", fixture("dfvfs-fat-differential.vhd"), dir.resolve("x.raw")).assertError(ExitCodes.FAILURE, "PARENT_NOT_FOUND");
        assertFalse(Files.exists(dir.resolve("x.raw")));
    }

    @Test
    void importMakesADynamicImageThatExportsBackEqual() throws Exception {
        Path raw = dir.resolve("in.raw");
        byte[] content = new byte[3 << 20];
        System.arraycopy(random(10240, 20), 0, content, 2 << 20, 10240);
        Files.write(raw, content);
        Path img = dir.resolve("imported.vhd");
        Result r = vhd("import", raw, img).assertOk();
        assertEquals("imported " + raw + " into " + img + " (dynamic, 3145728 bytes (3 MiB), 10240 bytes (10 KiB) stored)",
                r.err().strip());
        assertEquals("[{\"offset\":2097152,\"length\":10240}]", extents(img));
        Path back = dir.resolve("back.raw");
        vhd("export", img, back).assertOk();
        assertArrayEquals(content, Files.readAllBytes(back));
    }

    @Test
    void importFixed() throws Exception {
        Path raw = dir.resolve("in.raw");
        Files.write(raw, random(1 << 20, 21));
        Path img = dir.resolve("fixed.vhd");
        vhd("import", raw, img, "--type", "fixed").assertOk();
        try (VhdImage i = VhdImage.open(img)) {
            assertEquals(DiskType.FIXED, i.type());
        }
        assertArrayEquals(Files.readAllBytes(raw), readAll(img, 1 << 20));
    }

    @Test
    void importWithAParentStoresOnlyWhatDiffers() throws Exception {
        Path child = chain();
        Path base = dir.resolve("base.vhd");
        Path raw = dir.resolve("new.raw");
        vhd("export", base, raw).assertOk();
        byte[] content = Files.readAllBytes(raw);
        System.arraycopy(random(1536, 22), 0, content, 4 << 20, 1536);
        content[3 << 20] ^= 1; // one byte inside the base's data: that whole sector differs
        Files.write(raw, content);
        Path diff = dir.resolve("diff.vhd");
        Result r = vhd("import", raw, diff, "--parent", base).assertOk();
        assertTrue(r.err().contains("differencing child of " + base + ", 2048 bytes (2 KiB) differ"), r.err());
        assertEquals("[{\"offset\":3145728,\"length\":512},{\"offset\":4194304,\"length\":1536}]", extents(diff));
        assertArrayEquals(content, readAll(diff, 6 << 20));
        assertTrue(Files.exists(child));
    }

    @Test
    void importUsageErrorsAndCleanup() throws Exception {
        Path raw = dir.resolve("odd.raw");
        Files.write(raw, new byte[1000]);
        Path img = dir.resolve("x.vhd");
        vhd("import", raw, img).assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        assertFalse(Files.exists(img), "a failed import leaves no half-made image");
        Path base = dir.resolve("b.vhd");
        vhd("create", base, "--size", "1M").assertOk();
        vhd("import", raw, img, "--parent", base, "--type", "dynamic").assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        vhd("import", raw, img, "--parent", base, "--block-size", "1M").assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        vhd("import", dir.resolve("none.raw"), img).assertError(ExitCodes.FAILURE, "IO_ERROR");
        Path sized = dir.resolve("two.raw");
        Files.write(sized, new byte[2 << 20]);
        vhd("import", sized, img, "--parent", base).assertError(ExitCodes.FAILURE, "CHAIN_SIZE_MISMATCH");
        assertFalse(Files.exists(img));
        Files.writeString(img, "mine");
        vhd("import", sized, img).assertError(ExitCodes.FAILURE, "ALREADY_EXISTS");
        assertEquals("mine", Files.readString(img), "an existing file is never removed");
    }

    @Test
    void changedJsonIsExactlyTheDocumentedShape() throws Exception {
        Path f = dir.resolve("c.vhd");
        vhd("create", f, "--size", "8M", "--block-size", "1M").assertOk();
        runWithStdin(new byte[1024], vhdArgs("write", f, "--offset", "0")).assertOk();
        runWithStdin(new byte[512], vhdArgs("write", f, "--offset", "1024")).assertOk(); // adjacent: merged
        runWithStdin(new byte[2048], vhdArgs("write", f, "--offset", String.valueOf((1 << 20) - 1024))).assertOk(); // crosses a block
        runWithStdin(new byte[512], vhdArgs("write", f, "--offset", "7M")).assertOk();
        Result r = vhd("changed", "--json", f).assertOk();
        assertEquals("{\"version\":1,\"file\":" + JSON.writeValueAsString(f.toString()) + ",\"extents\":["
                + "{\"offset\":0,\"length\":1536},{\"offset\":1047552,\"length\":2048},"
                + "{\"offset\":7340032,\"length\":512}]}" + System.lineSeparator(), r.out());
        assertEquals(List.of("0 1536", "1047552 2048", "7340032 512", "total 4096 bytes (4 KiB) in 3 extents"),
                vhd("changed", f).assertOk().outLines());
    }

    @Test
    void changedOnTheWindowsFixtureShows18Sectors() throws Exception {
        Result r = vhd("changed", "--json", fixture("dfvfs-fat-differential.vhd")).assertOk();
        JsonNode extents = JSON.readTree(r.out()).get("extents");
        long total = 0;
        long lastEnd = -1;
        for (JsonNode e : extents) {
            long off = e.get("offset").asLong();
            long len = e.get("length").asLong();
            assertTrue(off > lastEnd, "sorted and merged (no touching extents)");
            assertEquals(0, off % 512);
            assertEquals(0, len % 512);
            total += len;
            lastEnd = off + len;
        }
        assertEquals(9216, total);
        assertEquals(18, total / 512);
        List<String> lines = vhd("changed", fixture("dfvfs-fat-differential.vhd")).assertOk().outLines();
        assertEquals("total 9216 bytes (9 KiB) in " + extents.size() + " extents", lines.get(lines.size() - 1));
    }

    @Test
    void changedOnAFixedImageIsTheWholeDisk() throws Exception {
        Path f = dir.resolve("f.vhd");
        vhd("create", f, "--size", "1M", "--type", "fixed").assertOk();
        assertEquals("[{\"offset\":0,\"length\":1048576}]", extents(f));
    }

    @Test
    void changedOnABadChecksumNeedsLenient() {
        vhd("changed", fixture("dfvfs-image.vhd")).assertError(ExitCodes.FAILURE, "FOOTER_CHECKSUM");
        vhd("changed", "--lenient", fixture("dfvfs-image.vhd")).assertOk();
    }

    @Test
    void coalesceMergesTheChildIntoItsParent() throws Exception {
        Path child = chain();
        Path base = dir.resolve("base.vhd");
        byte[] before = readAll(child, 6 << 20);
        Result r = vhd("coalesce", child).assertOk();
        assertEquals("merged 1536 bytes (1.5 KiB) from " + child + " into " + base.toRealPath(), r.err().strip());
        assertArrayEquals(before, readAll(base, 6 << 20), "the parent now reads as the child did");
        assertArrayEquals(before, readAll(child, 6 << 20), "the child still reads the same");
        vhd("check", base).assertOk();
    }

    @Test
    void coalesceOfANonDifferencingImageIsRefused() {
        Path f = dir.resolve("d.vhd");
        vhd("create", f, "--size", "1M").assertOk();
        vhd("coalesce", f).assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        vhd("coalesce", fixture("dfvfs-fat-differential.vhd")).assertError(ExitCodes.FAILURE, "PARENT_NOT_FOUND");
    }
}
