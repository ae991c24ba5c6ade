package io.vhdstream.bench;

import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.Rebaser;
import io.vhdstream.vhd.coalesce.ChainMerger;
import io.vhdstream.vhd.coalesce.Coalescer;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.Directories;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Retention-merge throughput (bench/merge, docs/benchmarks.md): the layers the topology folds into its base when a
 * seal passes the window, merged three ways from identical copies, in one JVM, alternating, median of the runs:
 * <ol>
 *   <li>{@link ChainMerger#merge} as the topology's {@code LayerMerger} (and the replica sink) runs it: each layer
 *   coalesced into the base, the next re-linked onto the base, the layer deleted, each step durable;</li>
 *   <li>{@code vhd coalesce} of the same layers as a user would chain it: {@link Coalescer#coalesce} of each layer,
 *   then {@code vhd rebase -u} of the next onto the base ({@link Rebaser}), the engine calls the CLI makes, without
 *   the JVM starts;</li>
 *   <li>the physical baseline: a raw file of as many bytes as the merge writes, copied with {@code FileChannel}
 *   and fsynced.</li>
 * </ol>
 * Arguments: {@code --dir DIR --disk-mib N --layers K --layer-mib M --runs R}.
 */
public final class MergeBench {
    private static final int MIB = 1 << 20;
    private static final int WRITE = 64 * 1024;
    private static final int BLOCK = 2 * MIB;

    private MergeBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("/tmp/vhdstream-merge-bench");
        long diskMib = 1024;
        int layers = 8;
        int layerMib = 64;
        int runs = 3;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--disk-mib" -> diskMib = Long.parseLong(args[i + 1]);
                case "--layers" -> layers = Integer.parseInt(args[i + 1]);
                case "--layer-mib" -> layerMib = Integer.parseInt(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path src = dir.resolve("src");
        Directories.deleteTree(dir);
        Files.createDirectories(src);
        List<Path> chain = makeChain(src, diskMib * MIB, layers, layerMib);
        long merged = 0;
        for (Path l : chain.subList(1, chain.size() - 1)) {
            merged += presentBytes(l);
        }
        Path raw = dir.resolve("raw.bin");
        writeRaw(raw, merged);
        System.out.printf("merge-bench: %d MiB disk, base + %d layers of %d MiB of 64 KiB writes (2 MiB blocks); the merge"
                + " folds %d layers = %.1f MiB of sectors into the base; load %s%n", diskMib, layers, layerMib,
                layers - 1, merged / (double) MIB, load());
        String[] names = {"ChainMerger (retention merge)", "coalesce + rebase -u per layer", "raw copy + fsync",
            "coalesce + rebase -u + delete per layer"};
        int ways = names.length;
        long[][] ns = new long[ways][runs];
        for (int r = 0; r < runs; r++) {
            for (int way = 0; way < ways; way++) {
                Path run = dir.resolve("run");
                Directories.deleteTree(run);
                Files.createDirectories(run);
                List<Path> c = new ArrayList<>();
                for (Path p : chain) {
                    c.add(Files.copy(p, run.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES));
                }
                // The copies on the disk before the clock starts: ext4 (data=ordered) makes the first fsync of the
                // timed code wait for every dirty page of the transaction, the copies' included.
                for (Path p : c) {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                }
                Path base = c.get(0);
                List<Path> range = c.subList(1, c.size() - 1);
                Path above = c.get(c.size() - 1);
                long t0 = System.nanoTime();
                switch (way) {
                    case 0 -> ChainMerger.merge(base, range, above);
                    case 1, 3 -> {
                        for (int j = 0; j < range.size(); j++) {
                            Coalescer.coalesce(range.get(j), ChainOptions.forImage(range.get(j)), ProgressListener.NONE);
                            Path next = j + 1 < range.size() ? range.get(j + 1) : above;
                            ChainOptions o = ChainOptions.forImage(next);
                            Rebaser.rebase(next, base, true, o, o, ProgressListener.NONE);
                            if (way == 3) {
                                Files.delete(range.get(j));
                                io.vhdstream.vhd.io.Directories.fsync(run);
                            }
                        }
                    }
                    default -> copyRaw(raw, run.resolve("raw.copy"));
                }
                ns[way][r] = System.nanoTime() - t0;
                System.out.printf("merge-bench: run %d %-32s %7.0f ms (load %s)%n", r + 1, names[way], ns[way][r] / 1e6, load());
            }
        }
        double[] med = new double[ways];
        for (int way = 0; way < ways; way++) {
            long[] s = ns[way].clone();
            Arrays.sort(s);
            med[way] = s[s.length / 2] / 1e6;
        }
        System.out.println();
        System.out.println("| way | median ms | MiB/s of merged sectors | ratio to ChainMerger (other/ours) |");
        System.out.println("|---|---|---|---|");
        for (int way = 0; way < ways; way++) {
            System.out.printf("| %s | %.0f | %.0f | %.2f |%n", names[way], med[way], merged / (double) MIB / (med[way] / 1e3),
                    med[way] / med[0]);
        }
        System.out.println("load after: " + load());
        Directories.deleteTree(dir.resolve("run"));
    }

    /** base.vhd with some data, then layers 1..K each with M MiB of 64 KiB writes at random aligned offsets. */
    private static List<Path> makeChain(Path dir, long size, int layers, int layerMib) throws IOException {
        Random rnd = new Random(7);
        List<Path> chain = new ArrayList<>();
        Path base = dir.resolve("base.vhd");
        VhdCreator.dynamic(base, size, BLOCK);
        chain.add(base);
        fill(base, size, layerMib, rnd);
        for (int i = 1; i <= layers; i++) {
            Path l = dir.resolve(String.format("%04d.vhd", i));
            VhdCreator.differencing(l, chain.get(i - 1));
            fill(l, size, layerMib, rnd);
            chain.add(l);
        }
        return chain;
    }

    private static void fill(Path image, long size, int mib, Random rnd) throws IOException {
        byte[] b = new byte[WRITE];
        try (VhdImage img = VhdImage.open(image, OpenOptions.WRITE)) {
            for (long done = 0; done < (long) mib * MIB; done += WRITE) {
                rnd.nextBytes(b);
                img.write((long) rnd.nextInt((int) (size / WRITE)) * WRITE, ByteBuffer.wrap(b));
            }
            img.sync();
        }
    }

    private static long presentBytes(Path image) throws IOException {
        try (VhdImage img = VhdImage.open(image, OpenOptions.READ)) {
            return img.presentExtents().stream().mapToLong(Extent::length).sum();
        }
    }

    private static void writeRaw(Path raw, long bytes) throws IOException {
        byte[] b = new byte[MIB];
        new Random(3).nextBytes(b);
        try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long done = 0; done < bytes; done += b.length) {
                ch.write(ByteBuffer.wrap(b, 0, (int) Math.min(b.length, bytes - done)));
            }
            ch.force(true);
        }
    }

    private static void copyRaw(Path from, Path to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(4 * MIB);
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            while (in.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                buf.clear();
            }
            out.force(true);
        }
    }

    private static String load() {
        return String.format("%.1f", Machine.loadAverage());
    }
}
