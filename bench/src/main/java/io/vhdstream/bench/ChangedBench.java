package io.vhdstream.bench;

import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.vhdstream.bench.BenchFiles.settle;
import static io.vhdstream.bench.VhdBench.BLOCK;
import static io.vhdstream.bench.VhdBench.KIB;
import static io.vhdstream.bench.VhdBench.SEED;
import static io.vhdstream.bench.VhdBench.size;

/** Benchmark 4. changed: listing present extents of a huge layer vs a small one with the same allocated blocks. */
final class ChangedBench extends Section {
    ChangedBench(Env env) {
        super(env);
    }

    @Override
    void run() throws Exception {
        Path d = Files.createDirectories(work.resolve("changed"));
        Path small = d.resolve("small.vhd");
        Path big = d.resolve("big.vhd");
        long smallBlocks = o.smallSize / BLOCK;
        long bigBlocks = Footer.MAX_SIZE / BLOCK;
        long stride = bigBlocks / smallBlocks;
        int n = o.changedBlocks;
        log.step(String.format("4. changed: %d blocks in %s and in %s layers: creating", n, size(o.smallSize), size(Footer.MAX_SIZE)));
        int[] pick = new int[(int) smallBlocks];
        Arrays.setAll(pick, i -> i);
        Rand r = new Rand(SEED + 4);
        r.shuffle(pick);
        int[] chosen = Arrays.copyOf(pick, n);
        Arrays.sort(chosen);
        byte[] data = new byte[(int) (256 * KIB)];
        r.fill(data, 0, data.length);
        int sectorsPerBlock = (int) (BLOCK / 512);
        try (HeapMeter hm = new HeapMeter()) {
            VhdCreator.dynamic(small, o.smallSize, BLOCK);
            VhdCreator.dynamic(big, Footer.MAX_SIZE, BLOCK);
            try (VhdImage ws = VhdImage.open(small, OpenOptions.WRITE); VhdImage wb = VhdImage.open(big, OpenOptions.WRITE)) {
                for (int b : chosen) {
                    // 1..6 runs of 4 KiB..256 KiB at random places in the block: a partly set bitmap
                    Rand br = new Rand(SEED ^ Rand.mix(b));
                    int k = 1 + br.nextInt(6);
                    for (int j = 0; j < k; j++) {
                        int units = 1 + br.nextInt(64);
                        int startUnit = br.nextInt(sectorsPerBlock / 8 - units + 1);
                        long inBlock = startUnit * 4 * KIB;
                        ws.write(b * BLOCK + inBlock, ByteBuffer.wrap(data, 0, (int) (units * 4 * KIB)));
                        wb.write(b * stride * BLOCK + inBlock, ByteBuffer.wrap(data, 0, (int) (units * 4 * KIB)));
                    }
                }
            }
            heap.put("4 changed: creating the layers", hm.peak());
        }
        settle(small);
        settle(big);
        List<Extent> es;
        List<Extent> eb;
        try (VhdImage s = VhdImage.open(small); VhdImage b = VhdImage.open(big)) {
            es = s.presentExtents();
            eb = b.presentExtents();
        }
        long bytesSmall = es.stream().mapToLong(Extent::length).sum();
        long bytesBig = eb.stream().mapToLong(Extent::length).sum();
        if (es.size() != eb.size() || bytesSmall != bytesBig) {
            throw new IOException("the two layers differ: " + es.size() + " extents / " + bytesSmall + " bytes vs " + eb.size()
                    + " / " + bytesBig);
        }
        notes.add(String.format("Changed: both layers hold the same %d blocks with partly set bitmaps: %d extents, %s present; "
                        + "the big one (%s, %d BAT entries) spreads them %d blocks apart.", n, es.size(), size(bytesSmall),
                size(Footer.MAX_SIZE), bigBlocks, stride));
        log.step("4. timing presentExtents()");
        Map<String, Stats> t;
        int[] sink = new int[1];
        try (HeapMeter hm = new HeapMeter()) {
            t = Sampler.alternate(List.of(
                    new Sampler.Subject("big", null, () -> sink[0] += extents(big), null),
                    new Sampler.Subject("small", null, () -> sink[0] += extents(small), null)),
                    o.changedWarmups, o.jvmSamples, null, log);
            heap.put("4 changed: timed presentExtents()", hm.peak());
        }
        rows.add(new Row("4", "changed in-JVM: VhdImage.open + presentExtents() + close, " + size(Footer.MAX_SIZE) + " vs "
                + size(o.smallSize) + " layer, same " + n + " blocks", size(Footer.MAX_SIZE) + " layer", t.get("big"),
                size(o.smallSize) + " layer", t.get("small"), 1.5, false, "≤ 1.5", null));
        Map<String, Stats> t2;
        try (VhdImage bi = VhdImage.open(big); VhdImage si = VhdImage.open(small)) {
            t2 = Sampler.alternate(List.of(
                    new Sampler.Subject("big", null, () -> sink[0] += bi.presentExtents().size(), null),
                    new Sampler.Subject("small", null, () -> sink[0] += si.presentExtents().size(), null)),
                    o.changedWarmups, o.jvmSamples, null, log);
        }
        rows.add(new Row("4a", "changed in-JVM: presentExtents() alone on open images, " + size(Footer.MAX_SIZE) + " vs "
                + size(o.smallSize), size(Footer.MAX_SIZE) + " layer", t2.get("big"), size(o.smallSize) + " layer", t2.get("small"),
                1.5, false, "≤ 1.5", null));
        String cliTitle = "changed: `vhdstream vhd changed`, whole process, " + size(Footer.MAX_SIZE) + " vs " + size(o.smallSize);
        if (launcher != null) {
            log.step("4. timing vhdstream vhd changed");
            Path outBig = d.resolve("big.out");
            Path outSmall = d.resolve("small.out");
            Map<String, Stats> c = Sampler.alternate(List.of(
                    new Sampler.Subject("big", null, () -> cli(List.of("vhd", "changed", big.toString()), outBig, d.resolve("big.err")),
                            null),
                    new Sampler.Subject("small", null, () -> cli(List.of("vhd", "changed", small.toString()), outSmall,
                            d.resolve("small.err")), null)), o.warmups, o.samples, null, log);
            long lb;
            long ls;
            try (Stream<String> a = Files.lines(outBig); Stream<String> b = Files.lines(outSmall)) {
                lb = a.count();
                ls = b.count();
            }
            notes.add("`vhdstream vhd changed` printed " + lb + " lines for the big layer and " + ls + " for the small one "
                    + "(stdout to a file).");
            rows.add(new Row("4b", cliTitle, size(Footer.MAX_SIZE) + " layer", c.get("big"), size(o.smallSize) + " layer",
                    c.get("small"), 1.5, false, "≤ 1.5", null));
        } else {
            rows.add(Row.skipped("4b", cliTitle, "no launcher"));
        }
        dropSection(d);
    }

    private static int extents(Path p) throws IOException {
        try (VhdImage img = VhdImage.open(p)) {
            return img.presentExtents().size();
        }
    }
}
