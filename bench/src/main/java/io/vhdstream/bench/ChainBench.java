package io.vhdstream.bench;

import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static io.vhdstream.bench.BenchFiles.settle;
import static io.vhdstream.bench.VhdBench.BLOCK;
import static io.vhdstream.bench.VhdBench.KIB;
import static io.vhdstream.bench.VhdBench.MIB;
import static io.vhdstream.bench.VhdBench.SEED;
import static io.vhdstream.bench.VhdBench.size;

/** Benchmark 2. chain: reading a disk through a deep differencing chain vs the same content in one flat image. */
final class ChainBench extends Section {
    ChainBench(Env env) {
        super(env);
    }

    private record Run(long off, int len, int layer) {
    }

    @Override
    void run() throws Exception {
        Path d = Files.createDirectories(work.resolve("chain"));
        int depth = o.depth;
        log.step("2. chain of " + depth + " layers, " + size(o.chainSize) + " virtual: creating");
        List<Run> runs = new ArrayList<>();
        Rand r = new Rand(SEED + 2);
        long maxRunUnits = 2 * MIB / (4 * KIB);
        for (long pos = 0; pos < o.chainSize; ) {
            // 4 KiB .. 2 MiB, log-uniform
            long units = Math.max(1, Math.round(Math.exp(r.nextDouble() * Math.log(maxRunUnits))));
            long len = Math.min(units * 4 * KIB, o.chainSize - pos);
            int layer = r.nextDouble() < o.unwritten ? -1 : r.nextInt(depth);
            runs.add(new Run(pos, (int) len, layer));
            pos += len;
        }
        long written = runs.stream().filter(x -> x.layer() >= 0).mapToLong(Run::len).sum();
        Path[] layers = new Path[depth];
        Path flat = d.resolve("flat.vhd");
        byte[] buf = new byte[(int) (2 * MIB)];
        try (HeapMeter hm = new HeapMeter()) {
            for (int i = 0; i < depth; i++) {
                layers[i] = d.resolve("layer" + i + ".vhd");
                if (i == 0) {
                    VhdCreator.dynamic(layers[i], o.chainSize, BLOCK);
                } else {
                    VhdCreator.differencing(layers[i], layers[i - 1]);
                }
                try (VhdImage w = VhdImage.open(layers[i], OpenOptions.WRITE)) {
                    for (Run x : runs) {
                        if (x.layer() == i) {
                            Rand.content(SEED, x.off(), buf, x.len());
                            w.write(x.off(), ByteBuffer.wrap(buf, 0, x.len()));
                        }
                    }
                }
            }
            VhdCreator.dynamic(flat, o.chainSize, BLOCK);
            try (VhdImage w = VhdImage.open(flat, OpenOptions.WRITE)) {
                for (Run x : runs) {
                    if (x.layer() >= 0) {
                        Rand.content(SEED, x.off(), buf, x.len());
                        w.write(x.off(), ByteBuffer.wrap(buf, 0, x.len()));
                    }
                }
            }
            heap.put("2 chain: creating the layers", hm.peak());
        }
        Path top = layers[depth - 1];
        for (Path p : layers) {
            settle(p);
        }
        settle(flat);
        // what the disk must read as, from the run list: checks both images before anything is timed
        CRC32C expect = new CRC32C();
        for (Run x : runs) {
            if (x.layer() >= 0) {
                Rand.content(SEED, x.off(), buf, x.len());
            } else {
                Arrays.fill(buf, 0, x.len(), (byte) 0);
            }
            expect.update(buf, 0, x.len());
        }
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) MIB);
        long crcChain = readAll(top, chunk, true);
        long crcFlat = readAll(flat, chunk, true);
        if (crcChain != expect.getValue() || crcFlat != expect.getValue()) {
            throw new IOException(String.format("chain read CRC %08x, flat %08x, expected %08x", crcChain, crcFlat, expect.getValue()));
        }
        notes.add(String.format("Chain: %d runs of 4 KiB..2 MiB (%s written, %.0f%% of the disk; %.0f%% left unwritten reads zeros), "
                        + "each written run in one random layer of %d; the chain and the flat image read back the expected "
                        + "content (CRC32C %08x).", runs.size(), size(written), 100.0 * written / o.chainSize, 100.0 * o.unwritten,
                depth, expect.getValue()));
        log.step("2. timing flat vs chain reads");
        Map<String, Stats> t;
        try (HeapMeter hm = new HeapMeter()) {
            t = Sampler.alternate(List.of(
                    new Sampler.Subject("flat", null, () -> readAll(flat, chunk, false), null),
                    new Sampler.Subject("chain", null, () -> readAll(top, chunk, false), null)), o.jvmWarmups, o.jvmSamples, null, log);
            heap.put("2 chain: timed reads", hm.peak());
        }
        rows.add(new Row("2", String.format("read %s through a depth-%d chain (VhdChain.read, 1 MiB chunks, open+read+close)",
                size(o.chainSize), depth), "flat image", t.get("flat"), "depth-" + depth + " chain", t.get("chain"), 0.8, true,
                "≥ 0.8", null));
        dropSection(d);
    }

    /** Opens the chain at {@code top}, reads the whole disk in chunk-sized reads, closes; a CRC if asked. */
    private static long readAll(Path top, ByteBuffer chunk, boolean crc) throws IOException {
        CRC32C c = crc ? new CRC32C() : null;
        try (VhdChain chain = VhdChain.open(top)) {
            long size = chain.virtualSize();
            for (long pos = 0; pos < size; pos += chunk.capacity()) {
                chunk.clear();
                chunk.limit((int) Math.min(chunk.capacity(), size - pos));
                chain.read(pos, chunk);
                if (c != null) {
                    chunk.flip();
                    c.update(chunk);
                }
            }
        }
        return c == null ? 0 : c.getValue();
    }
}
