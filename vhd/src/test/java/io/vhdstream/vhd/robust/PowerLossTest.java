package io.vhdstream.vhd.robust;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.check.CheckReport;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.interop.Libvhdi;
import io.vhdstream.vhd.repair.VhdRepairer;
import io.vhdstream.vhd.robust.CrashSafetyTest.Op;
import io.vhdstream.vhd.testkit.Batmaps;
import io.vhdstream.vhd.testkit.DiskModel;
import io.vhdstream.vhd.testkit.PowerLoss;
import io.vhdstream.vhd.testkit.Vhds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.vhdstream.vhd.robust.CrashSafetyTest.check;
import static io.vhdstream.vhd.robust.CrashSafetyTest.rnd;
import static io.vhdstream.vhd.robust.CrashSafetyTest.write;
import static io.vhdstream.vhd.robust.CrashSafetyTest.zero;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Power loss: a crash that also drops writes which were not fsynced, in any order between fsyncs
 * ({@link PowerLoss}). A sequence of engine operations, with {@link VhdImage#sync()} after some of them, is
 * recorded once; then every state a power loss may leave is written to the file and must: open (after the
 * documented recovery, {@code vhd repair}, when check is not clean: only the codes in {@link #REPAIRABLE});
 * hold, in every sector, the content after some step from the last one whose sync() returned on (what was
 * synced is never lost, nothing else appears: no zeros or stale bytes in place of the guest's); and converge
 * when the steps after that one are replayed, as the topology does from its recorded offsets. See
 * docs/crash-safety.md.
 */
class PowerLossTest {
    /** What a power loss may leave for repair to fix (docs/crash-safety.md, "Power loss"). */
    static final Set<ProblemCode> REPAIRABLE = Set.of(ProblemCode.BATMAP_CHECKSUM, ProblemCode.FOOTER_COOKIE);
    /** Random subsets per large segment; fewer with 2 MiB blocks, whose crash states are whole 10 MiB files. */
    static final int RANDOM_SUBSETS = 32;
    /** Every this many states (and the first) libvhdi reads the recovered image too: a Python process each. */
    static final int LIBVHDI_EVERY = 24;

    @TempDir
    Path dir;

    /** A step: an operation, then an fsync when {@code sync}. */
    record Step(Op op, boolean sync) {
    }

    static Step step(Op op) {
        return new Step(op, false);
    }

    static Step synced(Op op) {
        return new Step(op, true);
    }

    /** @return how many crash states were tried */
    static int powerLossEverywhere(String name, Path top, List<Step> steps, long seed) throws IOException {
        return powerLossEverywhere(name, top, steps, seed, RANDOM_SUBSETS, null);
    }

    /**
     * @param libvhdi when not null, libvhdi reads every {@value #LIBVHDI_EVERY}th recovered state too (with these
     *                parents, nearest first: it does not follow locators) and must meet the same per-sector contract
     */
    static int powerLossEverywhere(String name, Path top, List<Step> steps, long seed, int randomSubsets, Path[] libvhdi)
            throws IOException {
        int[] visited = {0};
        byte[] pre = Files.readAllBytes(top);
        assertTrue(check(top).clean(), name + ": the starting image checks clean");
        // the disk after step j (0: before the first), from a run on a copy that flushes after every step
        List<byte[]> states = new ArrayList<>();
        states.add(Vhds.readChain(top));
        Path copy = top.resolveSibling("states-" + top.getFileName());
        Files.write(copy, pre);
        for (Step st : steps) {
            try (VhdImage img = VhdImage.open(copy, OpenOptions.WRITE)) {
                st.op().apply(img);
            }
            states.add(Vhds.readChain(copy));
        }
        Files.delete(copy);
        PowerLoss.Recorder rec = new PowerLoss.Recorder();
        try (VhdImage img = VhdImage.open(top, OpenOptions.WRITE)) {
            img.file().setWriteListener(rec);
            for (int j = 0; j < steps.size(); j++) {
                rec.op = j + 1;
                steps.get(j).op().apply(img);
                if (steps.get(j).sync()) {
                    img.sync();
                }
            }
            rec.op = steps.size(); // what close writes belongs to the last step
        }
        assertArrayEquals(states.get(steps.size()), Vhds.readChain(top), name + ": the recorded run ends where the copy did");
        byte[] finFile = Files.readAllBytes(top);
        byte[] fin = states.get(steps.size());
        // the index of the last fsync each synced step made: once it returned, that step is acknowledged
        int[] acknowledgedAt = new int[steps.size() + 1];
        Arrays.fill(acknowledgedAt, Integer.MAX_VALUE);
        for (int e = 0; e < rec.events().size(); e++) {
            PowerLoss.Event ev = rec.events().get(e);
            if (ev.sync() && ev.op() >= 1 && steps.get(ev.op() - 1).sync()) {
                acknowledgedAt[ev.op()] = e;
            }
        }
        int n = PowerLoss.crashStates(pre, rec.events(), randomSubsets, seed, c -> {
            int ack = 0; // the last step whose sync() had returned: the disk holds it or a later step
            for (int j = 1; j <= steps.size(); j++) {
                if (acknowledgedAt[j] < c.barrier()) {
                    ack = j;
                }
            }
            int first = ack;
            String ctx = name + ", power loss after event " + c.barrier() + " of " + rec.events() + ", kept " + c.kept();
            Files.write(top, c.file());
            recover(top, ctx);

            byte[] disk = Vhds.readChain(top);
            assertEquals(fin.length, disk.length, ctx);
            acknowledgedOnly(disk, states, first, c.lastOp(), ctx);
            if (libvhdi != null && visited[0]++ % LIBVHDI_EVERY == 0) {
                Path raw = top.resolveSibling("libvhdi.raw");
                byte[] vhdi = Libvhdi.dump(top.getParent(), raw, top, libvhdi).bytes();
                Files.delete(raw);
                assertEquals(disk.length, vhdi.length, ctx);
                acknowledgedOnly(vhdi, states, first, c.lastOp(), "libvhdi: " + ctx);
            }

            // replay the steps after the last synced one, as a writer that restarts from its last durable point does
            // ... after cutting what no metadata references (the topology does), so that it allocates as the first run did
            VhdRepairer.cutUnreferencedTail(top);
            try (VhdImage img = VhdImage.open(top, OpenOptions.WRITE)) {
                for (int j = first + 1; j <= steps.size(); j++) {
                    steps.get(j - 1).op().apply(img);
                }
            }
            String diff = DiskModel.difference(fin, Vhds.readChain(top));
            assertNull(diff, () -> ctx + ": replay did not converge: " + diff);
            byte[] file = Files.readAllBytes(top);
            assertTrue(Arrays.equals(finFile, file), () -> ctx + ": replay converged in content but not in the file's bytes ("
                    + file.length + " vs " + finFile.length + " bytes, first difference at " + Arrays.mismatch(finFile, file) + ")");
            CheckReport after = check(top);
            assertTrue(after.clean(), () -> ctx + ": clean after replay: " + after.problems());
        });
        assertTrue(n > 0, name + ": the steps wrote something");
        System.out.println(name + ": " + n + " power-loss states recovered, from " + rec.events().size() + " writes and fsyncs");
        return n;
    }

    /** Every sector of {@code disk} holds its content after some step from {@code first} (the last synced) to {@code last}. */
    private static void acknowledgedOnly(byte[] disk, List<byte[]> states, int first, int last, String ctx) {
        for (int s = 0; s * 512 < disk.length; s++) {
            int from = s * 512;
            boolean some = false;
            for (int j = first; j <= last && !some; j++) {
                some = Arrays.equals(disk, from, from + 512, states.get(j), from, from + 512);
            }
            int sector = s;
            assertTrue(some, () -> ctx + ": sector " + sector + " holds the content of no step from " + first
                    + " (the last one synced) to " + last);
        }
    }

    /** Opens and checks; when not clean, the documented recovery (repair) must make it clean. */
    private static void recover(Path top, String ctx) throws IOException {
        CheckReport r;
        try {
            r = check(top);
        } catch (VhdException e) {
            throw new AssertionError(ctx + ": check fails: " + e.getMessage(), e);
        }
        if (r.clean()) {
            return;
        }
        Set<ProblemCode> codes = new TreeSet<>();
        r.problems().forEach(p -> codes.add(p.code()));
        assertTrue(REPAIRABLE.containsAll(codes), () -> ctx + ": a power loss may leave only " + REPAIRABLE + ", found "
                + r.problems());
        List<String> actions = VhdRepairer.repair(top);
        CheckReport fixed = check(top);
        assertTrue(fixed.clean(), () -> ctx + ": clean after repair " + actions + ": " + fixed.problems());
    }

    // ------------------------------------------------------------------------------------------------

    /** Allocations, new bits in an allocated block, zeroing, across two fsyncs and an unsynced tail. */
    static List<Step> mixed(int bs) {
        return List.of(
                synced(write(2L * bs + 512 % bs, rnd(1, Math.min(bs, 3 * 512)))),
                step(write(bs - 512, rnd(2, 1024))),
                synced(write(0, rnd(3, 2048))),
                step(zero(3L * bs, Math.min(bs, 2048))),
                step(write(5L * bs - 512, rnd(4, 1024))));
    }

    /** 4 KiB blocks only: the 2 MiB layout (unaligned data, streaming placement) is covered by differencing. */
    @Test
    void dynamic() throws IOException {
        int bs = 4096;
        Path p = Files.createDirectories(dir.resolve("dyn")).resolve("d.vhd");
        VhdCreator.dynamic(p, 8L * bs, bs);
        Vhds.write(p, 512, rnd(9, 1024));
        powerLossEverywhere("dynamic bs=" + bs, p, mixed(bs), bs);
    }

    @ParameterizedTest(name = "block size {0}")
    @ValueSource(ints = {4096, 2 << 20})
    void differencing(int bs) throws IOException {
        Path d = Files.createDirectories(dir.resolve("diff" + bs));
        Path parent = d.resolve("parent.vhd");
        VhdCreator.dynamic(parent, 8L * bs, bs);
        Vhds.write(parent, 0, rnd(10, 8 * bs));
        Path c = d.resolve("child.vhd");
        VhdCreator.differencing(c, parent);
        Vhds.write(c, 512, rnd(11, 1024));
        powerLossEverywhere("differencing bs=" + bs, c, mixed(bs), bs + 1, bs > 4096 ? 4 : RANDOM_SUBSETS, null);
    }

    /**
     * libvhdi reads what a power loss leaves as we do, where it reads sector-exactly at all: 4 KiB-aligned writes (it
     * returns zeros for a clear-bit sector after a set one in a 4 KiB run, and ignores a dynamic disk's bitmap:
     * /work/shared/docs/vhd-facts.md), a dynamic and a differencing layer.
     */
    @Test
    void libvhdiReadsEveryRecoveredStateWithinTheContract() throws IOException {
        int bs = 64 * 1024;
        Path d = Files.createDirectories(dir.resolve("vhdi"));
        Path parent = d.resolve("parent.vhd");
        VhdCreator.dynamic(parent, 8L * bs, bs);
        Vhds.write(parent, 0, rnd(30, 8 * bs));
        List<Step> steps = List.of(
                synced(write(2L * bs + 4096, rnd(31, 8192))),
                step(write(bs - 4096, rnd(32, 8192))),
                synced(write(0, rnd(33, 4096))),
                step(write(5L * bs, rnd(34, 4096))),
                step(write(3L * bs + 8192, rnd(35, 4096))));
        Path dyn = d.resolve("dyn.vhd");
        VhdCreator.dynamic(dyn, 8L * bs, bs);
        Vhds.write(dyn, 4096, rnd(36, 4096));
        powerLossEverywhere("libvhdi dynamic", dyn, steps, 40, 8, new Path[0]);
        Path c = d.resolve("child.vhd");
        VhdCreator.differencing(c, parent);
        Vhds.write(c, 4096, rnd(37, 4096));
        powerLossEverywhere("libvhdi differencing", c, steps, 41, 8, new Path[] {parent});
    }

    @Test
    void batmap() throws IOException {
        Path p = Files.createDirectories(dir.resolve("batmap")).resolve("b.vhd");
        VhdCreator.dynamic(p, 8 * 4096, 4096);
        Batmaps.addBatmap(p);
        Vhds.write(p, 4096 + 512, rnd(20, 1024));
        powerLossEverywhere("batmap", p, List.of(
                synced(write(3 * 4096, rnd(21, 4096))),
                step(write(4096, rnd(22, 4096))),
                step(write(4 * 4096, rnd(23, 4096 + 1024)))), 7);
    }
}
