package io.vhdstream.vhd.coalesce;

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

import static io.vhdstream.vhd.testkit.VhdBytes.F_UNIQUE_ID;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoalescerSafetyTest {
    @TempDir
    Path dir;

    /**
     * A child larger than its parent with data on both sides of the parent's end: the refusal must come before
     * the first write, or the parent is left half-merged.
     */
    @Test
    void aSizeMismatchIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path big = dir.resolve("big.vhd");
        VhdCreator.dynamic(big, 8 << 20, 1 << 20);
        Path child = dir.resolve("child.vhd");
        VhdCreator.differencing(child, big);
        Vhds.write(child, 0, Vhds.random(new Random(1), 4096));        // inside the small parent
        Vhds.write(child, 6 << 20, Vhds.random(new Random(2), 4096));  // beyond it
        Path parent = dir.resolve("parent.vhd");
        VhdCreator.dynamic(parent, 4 << 20, 1 << 20);
        byte[] id = new byte[16];
        System.arraycopy(VhdBytes.of(big).b, VhdBytes.of(big).endFooter() + F_UNIQUE_ID, id, 0, 16);
        VhdBytes p = VhdBytes.of(parent);
        p.footerEdit(at -> System.arraycopy(id, 0, p.b, at + F_UNIQUE_ID, 16)).save(parent);
        Files.delete(big);
        Files.move(parent, big); // the child's parent is now 4 MiB with the id it expects
        byte[] before = Files.readAllBytes(big);

        VhdException e = assertThrows(VhdException.class,
                () -> Coalescer.coalesce(child, ChainOptions.forImage(child), (d, t) -> { }));
        assertEquals(ProblemCode.CHAIN_SIZE_MISMATCH, e.code());
        assertTrue(e.getMessage().contains("nothing was merged"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(big), "the parent is untouched");
        assertFalse(Files.exists(CoalesceMarker.of(big)));
    }

    /** An interrupted coalesce leaves a marker that check reports; running it again completes it. */
    @Test
    void anInterruptedCoalesceIsVisibleAndRerunnable() throws Exception {
        Path base = dir.resolve("base.vhd");
        VhdCreator.dynamic(base, 16 << 20, 1 << 20);
        Path child = dir.resolve("child.vhd");
        VhdCreator.differencing(child, base);
        Vhds.write(child, 0, Vhds.random(new Random(3), 12 << 20)); // three 4 MiB chunks
        byte[] expected = Vhds.readChain(child);

        RuntimeException stop = new RuntimeException("interrupted");
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> Coalescer.coalesce(child, ChainOptions.forImage(child),
                (done, total) -> {
                    throw stop; // after the first chunk went into the parent
                }));
        assertEquals(stop, thrown);
        assertTrue(Files.exists(CoalesceMarker.of(base)));
        var problems = VhdChecker.check(base, ChainOptions.forImage(base)).problems();
        assertTrue(problems.stream().anyMatch(p -> p.code() == ProblemCode.COALESCE_INCOMPLETE
                && p.message().contains(child.toString())), problems.toString());

        Coalescer.coalesce(child, ChainOptions.forImage(child), (d, t) -> { });
        assertFalse(Files.exists(CoalesceMarker.of(base)));
        assertTrue(VhdChecker.check(base, ChainOptions.forImage(base)).clean());
        assertArrayEquals(expected, Vhds.readChain(base));
    }
}
