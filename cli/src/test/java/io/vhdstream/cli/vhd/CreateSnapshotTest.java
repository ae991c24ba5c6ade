package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliRunner.Result;
import io.vhdstream.cli.ExitCodes;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.image.VhdImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.vhdstream.cli.CliRunner.vhd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CreateSnapshotTest {
    @TempDir
    Path dir;

    @Test
    void createsADynamicImageByDefault() throws Exception {
        Path f = dir.resolve("d.vhd");
        Result r = vhd("create", f, "--size", "64M").assertOk();
        assertEquals("created dynamic image " + f + ": 67108864 bytes (64 MiB), block size 2 MiB", r.err().strip());
        try (VhdImage img = VhdImage.open(f)) {
            assertEquals(DiskType.DYNAMIC, img.type());
            assertEquals(64L << 20, img.virtualSize());
            assertEquals(2L << 20, ((SparseImage) img).blockSize());
        }
    }

    @Test
    void createsAFixedImageAndTakesPlainBytes() throws Exception {
        Path f = dir.resolve("f.vhd");
        vhd("create", f, "--size", "1048576", "--type", "FIXED").assertOk();
        try (VhdImage img = VhdImage.open(f)) {
            assertEquals(DiskType.FIXED, img.type());
            assertEquals(1 << 20, img.virtualSize());
        }
        assertEquals((1 << 20) + 512, Files.size(f));
    }

    @Test
    void takesABlockSize() throws Exception {
        Path f = dir.resolve("b.vhd");
        vhd("create", f, "--size", "1G", "--type", "dynamic", "--block-size", "512K").assertOk();
        try (VhdImage img = VhdImage.open(f)) {
            assertEquals(512 << 10, ((SparseImage) img).blockSize());
            assertEquals(1L << 30, img.virtualSize());
        }
    }

    @Test
    void usageErrorsExit2AndCreateNothing() {
        Path f = dir.resolve("x.vhd");
        vhd("create", f).assertError(ExitCodes.USAGE, "USAGE");
        Result bad = vhd("create", f, "--size", "12Q").assertError(ExitCodes.USAGE, "USAGE");
        assertTrue(bad.err().contains("'12Q' is not a size"), bad.err());
        vhd("create", f, "--size", "1000").assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        vhd("create", f, "--size", "1M", "--type", "fixed", "--block-size", "1M").assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        vhd("create", f, "--size", "1M", "--block-size", "3000").assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        Result type = vhd("create", f, "--size", "1M", "--type", "differencing").assertError(ExitCodes.USAGE, "USAGE");
        assertTrue(type.err().contains("use fixed or dynamic"), type.err());
        assertFalse(Files.exists(f));
    }

    @Test
    void refusesToOverwrite() throws Exception {
        Path f = dir.resolve("e.vhd");
        Files.writeString(f, "precious");
        vhd("create", f, "--size", "1M").assertError(ExitCodes.FAILURE, "ALREADY_EXISTS");
        assertEquals("precious", Files.readString(f));
    }

    @Test
    void snapshotMakesADifferencingChild() throws Exception {
        Path base = dir.resolve("base.vhd");
        Path child = dir.resolve("child.vhd");
        vhd("create", base, "--size", "8M").assertOk();
        Result r = vhd("snapshot", base, child).assertOk();
        assertEquals("created differencing image " + child + " (parent " + base + ")", r.err().strip());
        try (VhdImage p = VhdImage.open(base); VhdImage c = VhdImage.open(child)) {
            assertEquals(DiskType.DIFFERENCING, c.type());
            assertEquals(p.footer().uniqueId(), ((SparseImage) c).header().parentUniqueId());
        }
        String info = vhd("info", child).assertOk().out();
        assertTrue(info.contains("  0  " + child), info);
        assertTrue(info.contains("  1  " + base.toRealPath()), info);
    }

    @Test
    void snapshotInAnotherDirectoryTellsAboutAllowRoot() throws Exception {
        Path base = dir.resolve("base.vhd");
        Files.createDirectory(dir.resolve("sub"));
        Path child = dir.resolve("sub/child.vhd");
        vhd("create", base, "--size", "1M").assertOk();
        Result r = vhd("snapshot", base, child).assertOk();
        assertTrue(r.err().contains("need --allow-root " + dir.toRealPath()), r.err());
        vhd("read", child, "--offset", "0", "--length", "512").assertError(ExitCodes.FAILURE, "PARENT_OUTSIDE_ROOT");
        Result ok = vhd("read", child, "--offset", "0", "--length", "512", "--allow-root", dir);
        assertEquals(0, ok.exit(), ok.err());
        assertEquals(512, ok.stdout().length);
    }

    @Test
    void snapshotOfAMissingParentFails() {
        vhd("snapshot", dir.resolve("none.vhd"), dir.resolve("c.vhd")).assertError(ExitCodes.FAILURE, "IO_ERROR");
        assertFalse(Files.exists(dir.resolve("c.vhd")));
    }
}
