package io.vhdstream.vhd.robust;

import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.check.CheckReport;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.coalesce.Coalescer;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.testkit.DiskModel;
import io.vhdstream.vhd.testkit.Vhds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Random sequences of create / write / zero / snapshot / coalesce / reopen against a byte-array model of the
 * disk and a per-layer model of which sectors each layer holds. After every step the whole disk is read
 * through the writable chain and through a fresh read-only one (after a flush), the top layer's present extents are
 * compared with the model's, and the chain must check clean.
 *
 * <p>Seeded: every failure names its seed and step; {@code -Dvhdstream.model.seed=N} reruns one sequence.
 */
class ModelTest {
    static final int DYN_SIZE = (4 << 20) + 1536; // not a whole number of blocks for any block size used
    static final String ONE_SEED = System.getProperty("vhdstream.model.seed");

    @TempDir
    Path dir;

    /** What one layer holds, sector-exact. */
    static final class Layer {
        final Path path;
        final boolean fixed;
        final boolean differencing;
        final long blockSize;
        final BitSet present = new BitSet();
        final BitSet allocated = new BitSet();

        Layer(Path path, boolean fixed, boolean differencing, long blockSize) {
            this.path = path;
            this.fixed = fixed;
            this.differencing = differencing;
            this.blockSize = blockSize;
        }

        void written(long off, long len) {
            if (fixed) {
                return;
            }
            int s0 = (int) (off / 512);
            int s1 = (int) ((off + len) / 512);
            present.set(s0, s1);
            allocated.set((int) (off / blockSize), (int) ((off + len - 1) / blockSize) + 1);
        }

        void zeroed(long off, long len) {
            if (fixed || differencing) {
                written(off, len); // a differencing layer must mask its parent: zeros become present
                return;
            }
            // a dynamic disk reads zeros where nothing is allocated: only allocated blocks take the zeros
            for (long pos = off; pos < off + len; ) {
                int block = (int) (pos / blockSize);
                long end = Math.min((block + 1) * blockSize, off + len);
                if (allocated.get(block)) {
                    present.set((int) (pos / 512), (int) (end / 512));
                }
                pos = end;
            }
        }

        List<Extent> extents(long size) {
            if (fixed) {
                return List.of(new Extent(0, size));
            }
            List<Extent> out = new ArrayList<>();
            for (int s = present.nextSetBit(0); s >= 0; ) {
                int e = present.nextClearBit(s);
                out.add(new Extent(s * 512L, (e - s) * 512L));
                s = present.nextSetBit(e);
            }
            return out;
        }
    }

    /** One random sequence, its state and its checks. */
    final class Run {
        final long seed;
        final Random r;
        final Path d;
        final List<Layer> layers = new ArrayList<>(); // bottom first
        final int size;
        final DiskModel model;
        final StringBuilder log = new StringBuilder();
        VhdChain chain;
        int step;
        int created;
        int snapshots;
        int coalesces;

        Run(long seed, String base, int blockSize) throws IOException {
            this.seed = seed;
            this.r = new Random(seed);
            this.d = Files.createDirectories(dir.resolve(base + "-" + blockSize + "-" + seed));
            boolean fixed = base.equals("fixed");
            this.size = DYN_SIZE;
            this.model = new DiskModel(size);
            Path p = next();
            if (fixed) {
                VhdCreator.fixed(p, size);
                layers.add(new Layer(p, true, false, 0));
            } else {
                VhdCreator.dynamic(p, size, blockSize);
                layers.add(new Layer(p, false, false, blockSize));
            }
            log.append("create ").append(base).append(" bs=").append(blockSize);
            open();
        }

        Path next() {
            return d.resolve("layer" + (created++) + ".vhd");
        }

        Layer top() {
            return layers.get(layers.size() - 1);
        }

        void open() throws IOException {
            Path t = top().path;
            chain = VhdChain.open(t, ChainOptions.forImage(t), true);
            assertEquals(layers.size(), chain.layers().size(), where("chain depth"));
        }

        void close() throws IOException {
            if (chain != null) {
                chain.close();
                chain = null;
            }
        }

        String where(String what) {
            return "seed " + seed + " step " + step + " (" + what + "); ops: " + log;
        }

        long offset() {
            return (long) r.nextInt(size / 512) * 512;
        }

        long length(long off) {
            int k = r.nextInt(10);
            long len;
            if (k < 4) {
                len = 512L * (1 + r.nextInt(7)); // under 4 KiB
            } else if (k < 7) {
                len = 512L * (1 + r.nextInt(512)); // up to 256 KiB
            } else {
                len = 512L * (1 + r.nextInt(6 * 1024)); // up to 3 MiB
            }
            return Math.min(len, size - off);
        }

        void step() throws IOException {
            step++;
            int k = r.nextInt(100);
            if (k < 45) {
                long off = offset();
                long len = Math.max(512, length(off));
                if (off + len > size) {
                    off = size - len;
                }
                byte[] data = Vhds.random(r, (int) len);
                log.append("; write ").append(off).append('+').append(len);
                chain.top().write(off, ByteBuffer.wrap(data));
                model.write(off, data);
                top().written(off, len);
            } else if (k < 60) {
                long off = offset();
                long len = length(off);
                log.append("; zero ").append(off).append('+').append(len);
                chain.top().zero(off, len);
                model.zero(off, len);
                top().zeroed(off, len);
            } else if (k < 72 && layers.size() < 6) {
                snapshot();
            } else if (k < 84 && top().differencing) {
                coalesce();
            } else if (k < 92) {
                log.append("; reopen");
                close();
                open();
            } else {
                // small unaligned reads through the writable chain
                for (int i = 0; i < 4; i++) {
                    int off = r.nextInt(size);
                    int len = r.nextInt(Math.min(size - off, 20_000) + 1);
                    ByteBuffer b = ByteBuffer.allocate(len);
                    chain.read(off, b);
                    assertArrayEquals(Arrays.copyOfRange(model.bytes(), off, off + len), b.array(),
                            where("read " + off + "+" + len));
                }
            }
            verify();
        }

        void snapshot() throws IOException {
            close(); // the parent is closed before its child is made
            Layer parent = top();
            Path p = next();
            VhdCreator.differencing(p, parent.path);
            long bs = parent.fixed ? 2 << 20 : parent.blockSize;
            layers.add(new Layer(p, false, true, bs));
            log.append("; snapshot -> ").append(p.getFileName());
            snapshots++;
            open();
        }

        void coalesce() throws IOException {
            close();
            Layer child = top();
            Layer parent = layers.get(layers.size() - 2);
            long want = child.present.cardinality() * 512L;
            long[] progress = {-1, -1};
            long done = Coalescer.coalesce(child.path, ChainOptions.forImage(child.path), (n, total) -> {
                progress[0] = n;
                progress[1] = total;
            });
            assertEquals(want, done, where("coalesce writes exactly the child's sectors"));
            if (want > 0) {
                assertEquals(want, progress[0], where("progress reaches the end"));
                assertEquals(want, progress[1], where("progress total"));
            }
            for (Extent e : child.extents(size)) {
                parent.written(e.offset(), e.length());
            }
            boolean drop = r.nextBoolean();
            coalesces++;
            log.append("; coalesce ").append(child.path.getFileName()).append(drop ? " and drop it" : "");
            // the merged parent alone now reads as the whole chain did
            String diff = DiskModel.difference(model.bytes(), Vhds.readChain(parent.path));
            assertNull(diff, () -> where("parent after coalesce: " + diff));
            if (drop) {
                Files.delete(child.path);
                layers.remove(layers.size() - 1);
            }
            open();
        }

        void verify() throws IOException {
            byte[] viaWritable = Vhds.readAll(chain);
            String diff = DiskModel.difference(model.bytes(), viaWritable);
            assertNull(diff, () -> where("writable chain read: " + diff));
            Path t = top().path;
            chain.top().flush(); // new metadata reaches the file (for a fresh open) at a flush, sync or close
            byte[] fresh = Vhds.readChain(t);
            String diff2 = DiskModel.difference(model.bytes(), fresh);
            assertNull(diff2, () -> where("fresh read-only chain: " + diff2));
            assertEquals(top().extents(size), chain.top().presentExtents(), where("top layer's present extents"));
            for (int i = 0; i < layers.size(); i++) {
                // every layer, on disk, holds what the model says (opened on its own, read-only)
                try (VhdImage img = VhdImage.open(layers.get(i).path)) {
                    assertEquals(layers.get(i).extents(size), img.presentExtents(), where("extents of layer " + i));
                }
            }
            CheckReport rep = VhdChecker.check(t, ChainOptions.forImage(t));
            assertTrue(rep.clean(), () -> where("check: " + rep.problems()));
        }
    }

    Run sequence(long seed, String base, int blockSize, int steps) throws IOException {
        Run run = new Run(seed, base, blockSize);
        try {
            run.verify();
            for (int i = 0; i < steps; i++) {
                run.step();
            }
        } finally {
            run.close();
        }
        return run;
    }

    @ParameterizedTest(name = "{0} base, block size {1}, seed {2}")
    @CsvSource({
        "dynamic, 512, 1", "dynamic, 512, 2",
        "dynamic, 4096, 3", "dynamic, 4096, 4",
        "dynamic, 2097152, 5", "dynamic, 2097152, 6",
        "fixed, 0, 7", "fixed, 0, 8"})
    void randomOperationsMatchTheModel(String base, int blockSize, long seed) throws IOException {
        if (ONE_SEED != null && Long.parseLong(ONE_SEED) != seed) {
            return;
        }
        Run run = sequence(seed, base, blockSize, 40);
        assertTrue(run.snapshots > 0 && run.coalesces > 0, () -> "seed " + seed + " never snapshot or coalesced: " + run.log);
    }

    /** Many short sequences, property style: each seed picks its base and block size. */
    @Test
    void manyShortSequences() throws IOException {
        String[] bases = {"dynamic", "dynamic", "dynamic", "fixed"};
        int[] sizes = {512, 4096, 2 << 20, 0};
        for (long seed = 100; seed < 124; seed++) {
            int pick = new Random(seed).nextInt(4);
            sequence(seed, bases[pick], sizes[pick], 8);
        }
    }
}
