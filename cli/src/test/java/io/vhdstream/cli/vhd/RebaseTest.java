package io.vhdstream.cli.vhd;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vhdstream.cli.CliRunner.Result;
import io.vhdstream.cli.ExitCodes;
import io.vhdstream.vhd.footer.Footer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

import static io.vhdstream.cli.CliRunner.copyFixtures;
import static io.vhdstream.cli.CliRunner.runWithStdin;
import static io.vhdstream.cli.CliRunner.vhd;
import static io.vhdstream.cli.CliRunner.vhdArgs;
import static io.vhdstream.cli.vhd.ReadWriteTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** rebase fixes a recorded parent link (and timestamp) and, by default, keeps the child's content. */
class RebaseTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static byte[] disk(Path top, String size, Object... extra) {
        Object[] args = new Object[6 + extra.length];
        System.arraycopy(new Object[] {"read", top, "--offset", "0", "--length", size}, 0, args, 0, 6);
        System.arraycopy(extra, 0, args, 6, extra.length);
        return vhd(args).assertOk().stdout();
    }

    @Test
    void unsafeRebaseRecordsTheParentTimestampOfAVhdLibChain() throws Exception {
        var files = copyFixtures(dir, "vhd-lib/base.vhd", "vhd-lib/child.vhd", "vhd-lib/grandchild.vhd");
        Path base = files.get(0);
        Path child = files.get(1);
        Path top = files.get(2);
        byte[] before = disk(top, "8M");
        assertTrue(vhd("check", top).out().contains("PARENT_TIMESTAMP_MISMATCH"));
        Result r = vhd("rebase", "-u", child, base).assertOk();
        assertTrue(r.err().contains("rebased " + child + " onto " + base + " (link only)"), r.err());
        vhd("rebase", "-u", top, child).assertOk();
        Result after = vhd("check", top);
        assertEquals(ExitCodes.OK, after.exit());
        assertFalse(after.out().contains("PARENT_TIMESTAMP_MISMATCH"), after.out());
        assertArrayEquals(before, disk(top, "8M"), "the same parents: the same content");
        var info = JSON.readTree(vhd("info", "--json", child).assertOk().out());
        assertEquals(JSON.readTree(vhd("info", "--json", base).out()).get("timestamp").asLong(),
                info.get("parent").get("timestamp").asLong());
        assertEquals("W2ru", info.get("locators").get(0).get("platform").asText());
        assertEquals(".\\base.vhd", info.get("locators").get(0).get("path").asText());
        assertEquals(base.toString(), info.get("locators").get(1).get("path").asText());
    }

    /**
     * The Windows child names C:\Projects\dfvfs\test_data\fat-parent.vhd. A parent with the right id placed in an
     * --allow-root directory is found by its file name; check then warns about the timestamp (exit 0) and
     * rebase -u records it.
     */
    @Test
    void theWindowsChildFindsItsParentByNameInAnAllowedRootAndIsRelinked() throws Exception {
        Path child = copyFixtures(dir, "dfvfs-fat-differential.vhd").get(0);
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path parent = elsewhere.resolve("fat-parent.vhd");
        vhd("create", parent, "--size", "4M").assertOk();
        runWithStdin(random(4 << 20, 8), vhdArgs("write", parent, "--offset", "0")).assertOk();
        UUID want = UUID.fromString(JSON.readTree(vhd("info", "--json", child).out()).get("parent").get("uniqueId").asText());
        setUniqueId(parent, want);

        assertEquals(ExitCodes.FAILURE, vhd("check", child).exit(), "without the root: PARENT_NOT_FOUND");
        Result warned = vhd("check", "--allow-root", elsewhere, child);
        assertEquals(ExitCodes.OK, warned.exit(), warned.out());
        assertTrue(warned.out().contains("WARNING PARENT_TIMESTAMP_MISMATCH"), warned.out());
        byte[] before = disk(child, "4M", "--allow-root", elsewhere);

        vhd("rebase", "-u", "--allow-root", elsewhere, child, parent).assertOk();
        Result fixed = vhd("check", "--allow-root", elsewhere, child);
        assertEquals(ExitCodes.OK, fixed.exit(), fixed.out());
        assertFalse(fixed.out().contains("PARENT_TIMESTAMP_MISMATCH"), fixed.out());
        assertArrayEquals(before, disk(child, "4M", "--allow-root", elsewhere));
    }

    @Test
    void aSafeRebaseKeepsWhatTheChildReads() throws Exception {
        Path old = dir.resolve("old.vhd");
        Path other = dir.resolve("other.vhd");
        Path child = dir.resolve("child.vhd");
        vhd("create", old, "--size", "4M", "--block-size", "64K").assertOk();
        runWithStdin(random(1 << 20, 1), vhdArgs("write", old, "--offset", "0")).assertOk();
        vhd("create", other, "--size", "4M").assertOk();
        runWithStdin(random(512 << 10, 2), vhdArgs("write", other, "--offset", "2M")).assertOk();
        vhd("snapshot", old, child).assertOk();
        runWithStdin(random(4096, 3), vhdArgs("write", child, "--offset", "8K")).assertOk();
        byte[] before = disk(child, "4M");

        Result r = vhd("rebase", child, other).assertOk();
        assertTrue(r.err().contains((1 << 20) + (512 << 10) - 4096 + " bytes"), r.err()); // old's data minus the child's own, plus other's
        assertArrayEquals(before, disk(child, "4M"), "the child reads as before, now over other.vhd");
        assertTrue(vhd("info", child).out().contains("  1  " + other.toRealPath()));
        Files.delete(old);
        assertArrayEquals(before, disk(child, "4M"), "and no longer needs old.vhd");
        vhd("check", child).assertOk();
    }

    @Test
    void refusals() throws Exception {
        Path a = dir.resolve("a.vhd");
        Path b = dir.resolve("b.vhd");
        vhd("create", a, "--size", "1M").assertOk();
        vhd("create", b, "--size", "2M").assertOk();
        vhd("rebase", a, b).assertError(ExitCodes.USAGE, "INVALID_ARGUMENT");
        Path c = dir.resolve("c.vhd");
        vhd("snapshot", a, c).assertOk();
        vhd("rebase", "-u", c, b).assertError(ExitCodes.FAILURE, "CHAIN_SIZE_MISMATCH");
        vhd("rebase", "-u", c, c).assertError(ExitCodes.FAILURE, "CHAIN_CYCLE");
    }

    /** Sets both footer copies' unique id, with checksums, through the engine's own footer builder. */
    static void setUniqueId(Path vhd, UUID id) throws Exception {
        try (FileChannel ch = FileChannel.open(vhd, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (long at : new long[] {0, ch.size() - 512}) {
                ByteBuffer b = ByteBuffer.allocate(512);
                ch.read(b, at);
                byte[] f = Footer.parse(b.array(), 0).toBuilder().uniqueId(id).build().serialize();
                ch.write(ByteBuffer.wrap(f), at);
            }
        }
    }
}
