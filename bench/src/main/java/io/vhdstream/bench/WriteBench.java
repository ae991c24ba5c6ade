package io.vhdstream.bench;

import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.vhdstream.bench.VhdBench.BLOCK;
import static io.vhdstream.bench.VhdBench.MIB;
import static io.vhdstream.bench.VhdBench.SEED;
import static io.vhdstream.bench.VhdBench.size;

/** Benchmark 3. write: sequential writes into a fresh differencing layer vs plain positional writes to a file. */
final class WriteBench extends Section {
    WriteBench(Env env) {
        super(env);
    }

    @Override
    void run() throws Exception {
        Path d = Files.createDirectories(work.resolve("write"));
        Path parent = d.resolve("parent.vhd");
        Path child = d.resolve("child.vhd");
        Path plain = d.resolve("plain.raw");
        VhdCreator.dynamic(parent, o.writeSize, BLOCK);
        // 16 MiB of random data, written over and over in 1 MiB pieces (heap buffers, as Kafka records arrive)
        byte[] pool = new byte[(int) (16 * MIB)];
        new Rand(SEED + 3).fill(pool, 0, pool.length);
        int pieces = (int) (o.writeSize / MIB);
        for (boolean force : new boolean[] {false, true}) {
            String variant = force ? "then force()" : "no force()";
            log.step("3. timing " + size(o.writeSize) + " of sequential 1 MiB writes, " + variant);
            Map<String, Stats> t;
            try (HeapMeter hm = new HeapMeter()) {
                t = Sampler.alternate(List.of(
                        new Sampler.Subject("plain", () -> Files.deleteIfExists(plain), () -> {
                            try (FileChannel ch = FileChannel.open(plain, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                                for (int i = 0; i < pieces; i++) {
                                    ByteBuffer b = ByteBuffer.wrap(pool, (int) ((i % 16) * MIB), (int) MIB);
                                    long pos = i * MIB;
                                    while (b.hasRemaining()) {
                                        pos += ch.write(b, pos);
                                    }
                                }
                                if (force) {
                                    ch.force(false);
                                }
                            }
                        }, round -> Files.delete(plain)),
                        new Sampler.Subject("vhd", () -> {
                            Files.deleteIfExists(child);
                            VhdCreator.differencing(child, parent);
                        }, () -> {
                            try (VhdImage img = VhdImage.open(child, OpenOptions.WRITE)) {
                                for (int i = 0; i < pieces; i++) {
                                    img.write(i * MIB, ByteBuffer.wrap(pool, (int) ((i % 16) * MIB), (int) MIB));
                                }
                                if (force) {
                                    img.sync();
                                }
                            }
                        }, round -> {
                            if (round == 0) {
                                verifyWritten(child, pool);
                            }
                            Files.delete(child);
                        })), o.warmups, 2 * o.samples, null, log);
                heap.put("3 write: timed writes, " + variant, hm.peak());
            }
            // Without force the layer's close still waits for the barrier (one fdatasync) that keeps its BAT behind its
            // data (docs/decisions.md), while the plain file stays in the page cache: information, not a target.
            // The like-for-like comparison is 3b.
            rows.add(new Row(force ? "3b" : "3", "write " + size(o.writeSize) + " as sequential 1 MiB writes, " + variant
                    + (force ? "" : " (the layer's close waits for its data barrier, an fdatasync; the plain file does not)"),
                    "FileChannel.write (plain file)", t.get("plain"), "VhdImage.write (new differencing layer)", t.get("vhd"),
                    force ? 0.8 : null, true, force ? "≥ 0.8" : "", null));
        }
        dropSection(d);
    }

    private void verifyWritten(Path child, byte[] pool) throws IOException {
        try (VhdImage img = VhdImage.open(child)) {
            List<Extent> e = img.presentExtents();
            if (e.size() != 1 || e.get(0).offset() != 0 || e.get(0).length() != o.writeSize) {
                throw new IOException(child + " holds " + e + ", expected one extent of " + o.writeSize);
            }
            ByteBuffer b = ByteBuffer.allocate((int) MIB);
            for (long i = 0; i < o.writeSize / MIB; i += 97) {
                b.clear();
                img.readPresent(i * MIB, b);
                if (!Arrays.equals(b.array(), 0, (int) MIB, pool, (int) ((i % 16) * MIB), (int) ((i % 16 + 1) * MIB))) {
                    throw new IOException(child + ": MiB " + i + " reads back wrong");
                }
            }
        }
    }
}
