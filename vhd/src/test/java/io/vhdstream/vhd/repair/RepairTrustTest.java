package io.vhdstream.vhd.repair;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.testkit.VhdBytes;
import io.vhdstream.vhd.testkit.Vhds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.vhdstream.vhd.testkit.VhdBytes.F_COOKIE;
import static io.vhdstream.vhd.testkit.VhdBytes.F_CURRENT_SIZE;
import static io.vhdstream.vhd.testkit.VhdBytes.H_COOKIE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Repair fixes only what it can confirm, agrees with check, and never blesses a corrupted field. */
class RepairTrustTest {
    @TempDir
    Path dir;

    /** A fixed disk whose size field shrank: recomputing the checksum would make the lost tail vanish for good. */
    @Test
    void aShrunkenFixedSizeIsNotBlessed() throws Exception {
        Path p = dir.resolve("f.vhd");
        VhdCreator.fixed(p, 1 << 20);
        VhdBytes v = VhdBytes.of(p);
        v.put64(v.endFooter() + F_CURRENT_SIZE, 512 * 1024).save(p); // checksum left as it was
        byte[] before = Files.readAllBytes(p);
        VhdRepairer.Result r = VhdRepairer.run(p);
        assertEquals(0, r.actions().size(), r.actions().toString());
        Problem left = r.remaining().get(0);
        assertEquals(ProblemCode.FOOTER_CHECKSUM, left.code());
        assertTrue(left.message().contains("its size 524288 is not the 1048576 bytes of data the file holds"), left.message());
        assertArrayEquals(before, Files.readAllBytes(p), "nothing written");
        assertThrows(VhdException.class, () -> VhdRepairer.repair(p));
    }

    /** A dynamic disk's end footer changed and its copy unreadable: no second copy confirms the content. */
    @Test
    void aDynamicFooterWithoutAnIdenticalCopyIsNotBlessed() throws Exception {
        Path p = dir.resolve("d.vhd");
        VhdCreator.dynamic(p, 4 << 20, 1 << 20);
        VhdBytes v = VhdBytes.of(p);
        v.put64(v.endFooter() + F_CURRENT_SIZE, 1 << 20).put8(F_COOKIE, 'C').save(p); // end shrunk, copy's cookie gone
        byte[] before = Files.readAllBytes(p);
        VhdRepairer.Result r = VhdRepairer.run(p);
        assertTrue(r.remaining().stream().anyMatch(x -> x.code() == ProblemCode.FOOTER_CHECKSUM
                && x.message().contains("no identical second copy")), r.remaining().toString());
        assertArrayEquals(before, Files.readAllBytes(p));
    }

    /** Both copies identical but with a wrong sum (a writer's bug): the content is confirmed, the sum is fixed. */
    @Test
    void twoIdenticalCopiesWithAWrongSumAreFixed() throws Exception {
        Path p = dir.resolve("d.vhd");
        VhdCreator.dynamic(p, 4 << 20, 1 << 20);
        Vhds.write(p, 0, Vhds.random(new Random(1), 4096));
        byte[] content = Vhds.readChain(p);
        VhdBytes v = VhdBytes.of(p);
        long sum = v.u32(v.endFooter() + 64) ^ 0x10;
        v.put32(v.endFooter() + 64, sum).put32(64, sum).save(p);
        VhdRepairer.Result r = VhdRepairer.run(p);
        assertEquals(java.util.List.of(), r.remaining());
        assertTrue(r.actions().get(0).startsWith("recomputed the footer checksum"), r.actions().toString());
        assertArrayEquals(content, Vhds.readChain(p));
    }

    /**
     * What check says repair restores, repair restores, even when another structure stays broken: the end
     * footer comes back from the copy and the damaged header is left, and reported, as it is.
     */
    @Test
    void theEndFooterIsRestoredEvenWhenTheHeaderStaysBroken() throws Exception {
        Path p = dir.resolve("d.vhd");
        VhdCreator.dynamic(p, 4 << 20, 1 << 20);
        VhdBytes v = VhdBytes.of(p);
        v.put8(v.endFooter() + F_COOKIE, 'C').put8(v.header() + H_COOKIE, 'X').save(p);
        var checked = VhdChecker.check(p, ChainOptions.forImage(p)).problems();
        assertTrue(checked.stream().anyMatch(x -> x.code() == ProblemCode.FOOTER_COOKIE
                && x.message().contains("the copy at offset 0 is intact (repair restores it)")), checked.toString());
        VhdRepairer.Result r = VhdRepairer.run(p);
        assertTrue(r.actions().stream().anyMatch(a -> a.contains("from the copy at offset 0")), r.actions().toString());
        assertEquals("conectix", VhdBytes.of(p).ascii(VhdBytes.of(p).endFooter() + F_COOKIE, 8));
        assertTrue(r.remaining().stream().anyMatch(x -> x.code() == ProblemCode.HEADER_COOKIE), r.remaining().toString());
        assertTrue(r.remaining().stream().noneMatch(x -> x.code() == ProblemCode.FOOTER_COOKIE), r.remaining().toString());
    }
}
