package io.vhdstream.connector;

import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.convert.Exporter;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Builds VHD chains for tests with our engine and with QEMU, and compares exports. */
public final class TestChains {
    public static final long MIB = 1 << 20;

    private TestChains() {
    }

    /** Writes {@code data} into one layer. */
    public static void write(Path vhd, long offset, byte[] data) throws IOException {
        try (VhdImage img = VhdImage.open(vhd, OpenOptions.WRITE)) {
            img.write(offset, ByteBuffer.wrap(data));
            img.sync();
        }
    }

    public static byte[] random(Random r, int length) {
        byte[] b = new byte[length];
        r.nextBytes(b);
        return b;
    }

    /**
     * A chain made by the engine: a dynamic base and {@code differencing} children, each layer with random
     * writes of varied sizes and alignments, an all-zero write (a ZeroExtent) and a write that spans chunks.
     * The last layer is the active leaf; the others are sealed in the foreign sense (each has a child).
     *
     * @return the layer files, base first
     */
    public static List<Path> engineChain(Path dir, String prefix, long size, long blockSize, int differencing, long seed)
            throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(seed);
        List<Path> layers = new ArrayList<>();
        Path base = dir.resolve(prefix + "-base.vhd");
        VhdCreator.dynamic(base, size, blockSize);
        layers.add(base);
        fill(base, size, r);
        for (int i = 1; i <= differencing; i++) {
            Path child = dir.resolve(prefix + "-" + i + ".vhd");
            VhdCreator.differencing(child, layers.get(layers.size() - 1));
            layers.add(child);
            fill(child, size, r);
        }
        return layers;
    }

    /** Random writes into one layer: small, unaligned to chunks, zeros, and one spanning several chunks. */
    public static void fill(Path vhd, long size, Random r) throws IOException {
        try (VhdImage img = VhdImage.open(vhd, OpenOptions.WRITE)) {
            long sectors = size / 512;
            for (int i = 0; i < 12; i++) {
                int len = (1 + r.nextInt(96)) * 512;
                long at = (long) r.nextInt((int) (sectors - len / 512)) * 512;
                img.write(at, ByteBuffer.wrap(random(r, len)));
            }
            long zat = (long) r.nextInt((int) (sectors - 2048)) * 512;
            img.write(zat, ByteBuffer.allocate(1024 * 512 + 512 * r.nextInt(64)));
            long bat = (long) r.nextInt((int) (sectors - 4096)) * 512;
            img.write(bat, ByteBuffer.wrap(random(r, 1536 * 1024 + 512 * r.nextInt(64))));
            // The last sector of the disk.
            img.write(size - 512, ByteBuffer.wrap(random(r, 512)));
            img.sync();
        }
    }

    /**
     * A vhdstream layer directory of one disk: {@code base.vhd} and sealed layers {@code NNNN@s<N+1>.vhd} up to
     * {@code layers}, each filled, with {@code sealed} lines for all but the last (sealed later by the test with
     * {@link #sealedLine}).
     */
    public static List<Path> layerDirectory(Path dir, long size, int layers, Random r) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        files.add(dir.resolve("base.vhd"));
        VhdCreator.dynamic(files.get(0), size, 2 * MIB);
        fill(files.get(0), size, r);
        for (int i = 1; i <= layers; i++) {
            files.add(dir.resolve(String.format("%04d@s%d.vhd", i, i + 1)));
            VhdCreator.differencing(files.get(i), files.get(i - 1));
            fill(files.get(i), size, r);
        }
        StringBuilder sealed = new StringBuilder();
        for (int i = 0; i < layers; i++) {
            sealed.append(sealedLine(files, i));
        }
        Files.writeString(dir.resolve("sealed"), sealed);
        Files.writeString(dir.resolve("state"), "whatever the topology keeps\n");
        return files;
    }

    /** The {@code sealed} line of layer {@code i} of {@link #layerDirectory}'s files (snapshot s(i+1)). */
    public static String sealedLine(List<Path> files, int i) throws IOException {
        String line = i + " " + files.get(i).getFileName() + " s" + (i + 1) + " " + (100 * i) + " id="
                + ConnectTestSupport.uniqueId(files.get(i));
        return line + (i == 0 ? "" : " parent=" + ConnectTestSupport.uniqueId(files.get(i - 1))) + "\n";
    }

    /** {@code qemu-img create -f vpc}. */
    public static void qemuCreate(Path file, long size) throws IOException {
        run("qemu-img", "create", "-q", "-f", "vpc", file.toString(), Long.toString(size));
    }

    /** {@code qemu-io -f vpc -c 'write -P pattern offset length'}. */
    public static void qemuWrite(Path file, int pattern, long offset, long length) throws IOException {
        run("qemu-io", "-f", "vpc", "-c", "write -P " + pattern + " " + offset + " " + length, file.toString());
    }

    public static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        }
    }

    /** Exports the chain ending at {@code top} (parents found beside it) to a raw file. */
    public static Path export(Path top, Path raw) throws IOException {
        try (VhdChain chain = VhdChain.open(top, ChainOptions.forImage(top), false)) {
            Exporter.export(chain, raw, ProgressListener.NONE);
        }
        return raw;
    }

    /** -1 if the two exports are equal byte for byte, else the first differing offset. */
    public static long compareExports(Path topA, Path topB, Path work) throws IOException {
        Path a = export(topA, work.resolve("a-" + System.nanoTime() + ".raw"));
        Path b = export(topB, work.resolve("b-" + System.nanoTime() + ".raw"));
        try {
            return Files.mismatch(a, b);
        } finally {
            Files.deleteIfExists(a);
            Files.deleteIfExists(b);
        }
    }

    public static Path fixture(String name) {
        String dir = System.getProperty("vhdstream.fixtures.dir");
        if (dir == null) {
            throw new AssertionError("system property vhdstream.fixtures.dir is not set (the root pom sets it for surefire)");
        }
        Path p = Path.of(dir, name);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("fixture " + p + " is missing");
        }
        return p;
    }
}
