package io.vhdstream.bench;

import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.convert.Exporter;
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

import static io.vhdstream.bench.BenchFiles.compareFiles;
import static io.vhdstream.bench.BenchFiles.settle;
import static io.vhdstream.bench.VhdBench.BLOCK;
import static io.vhdstream.bench.VhdBench.SEED;
import static io.vhdstream.bench.VhdBench.size;

/** Benchmark 1. export: {@code vhdstream vhd export} vs {@code qemu-img convert}, on an image whose blocks lie in random order and on one laid out sequentially; all outputs checked byte-identical. */
final class ExportBench extends Section {
    ExportBench(Env env) {
        super(env);
    }

    @Override
    void run() throws Exception {
        export(true);
        export(false);
    }

    /**
     * @param randomOrder the allocated blocks lie in the file in random order (as a disk written at random
     *                    leaves them); otherwise in the order of the disk (as an image written front to back)
     */
    private void export(boolean randomOrder) throws Exception {
        Path d = Files.createDirectories(work.resolve("export"));
        Path img = d.resolve("disk.vhd");
        Path ours = d.resolve("ours.raw");
        Path qemu = d.resolve("qemu.raw");
        Path jvm = d.resolve("jvm.raw");
        long blocks = o.exportSize / BLOCK;
        String layout = randomOrder ? "random block order" : "sequential layout";
        String id = randomOrder ? "1" : "1s";
        String what = String.format("export %s dynamic image (2 MiB blocks, %d of %d allocated at random, random data, %s)",
                size(o.exportSize), blocks / 2, blocks, layout);
        log.step(id + ". " + what + ": creating");
        try (HeapMeter hm = new HeapMeter()) {
            VhdCreator.dynamic(img, o.exportSize, BLOCK);
            int[] order = new int[(int) blocks];
            Arrays.setAll(order, i -> i);
            Rand r = new Rand(SEED + 1);
            r.shuffle(order);
            byte[] buf = new byte[(int) BLOCK];
            if (!randomOrder) {
                Arrays.sort(order, 0, (int) (blocks / 2));
            }
            try (VhdImage w = VhdImage.open(img, OpenOptions.WRITE)) {
                // the first half of a shuffled list: random blocks, allocated in random (or ascending) order in the file
                for (int i = 0; i < blocks / 2; i++) {
                    r.fill(buf, 0, buf.length);
                    w.write(order[i] * BLOCK, ByteBuffer.wrap(buf));
                }
            }
            heap.put(id + " export: creating the image", hm.peak());
        }
        settle(img);
        List<Sampler.Subject> subjects = new ArrayList<>();
        if (qemuImg != null) {
            subjects.add(new Sampler.Subject("qemu-img", () -> Files.deleteIfExists(qemu),
                    () -> Proc.run(List.of(qemuImg.toString(), "convert", "-f", "vpc", "-O", "raw", img.toString(), qemu.toString()),
                            Map.of(), d.resolve("qemu.out"), d.resolve("qemu.err")),
                    round -> deleteUnlessFirst(round, qemu)));
        }
        if (launcher != null) {
            subjects.add(new Sampler.Subject("vhdstream", () -> Files.deleteIfExists(ours),
                    () -> cli(List.of("vhd", "export", img.toString(), ours.toString()), d.resolve("ours.out"), d.resolve("ours.err")),
                    round -> deleteUnlessFirst(round, ours)));
        }
        subjects.add(new Sampler.Subject("in-JVM", () -> Files.deleteIfExists(jvm), () -> {
            try (VhdChain c = VhdChain.open(img)) {
                Exporter.export(c, jvm, ProgressListener.NONE);
            }
        }, round -> deleteUnlessFirst(round, jvm)));
        log.step(id + ". timing " + subjects.stream().map(Sampler.Subject::name).toList());
        Map<String, Stats> t;
        try (HeapMeter hm = new HeapMeter()) {
            t = Sampler.alternate(subjects, o.warmups, o.samples, round -> {
                if (round == 0) {
                    verifyExports(img, List.of(jvm, ours, qemu));
                }
            }, log);
            heap.put(id + " export: in-JVM Exporter.export runs", hm.peak());
        }
        String title = "export " + size(o.exportSize) + " dynamic → raw, " + layout + ", whole process";
        if (qemuImg != null && launcher != null) {
            rows.add(new Row(id, title, "qemu-img convert", t.get("qemu-img"), "vhdstream vhd export", t.get("vhdstream"),
                    1.0, true, "≥ 1.0 (aim 1.5)", null));
        } else {
            rows.add(Row.skipped(id, title, qemuImg == null ? "no qemu-img" : "no launcher"));
        }
        if (qemuImg != null) {
            rows.add(new Row(id + "b", "export " + size(o.exportSize) + ", " + layout
                    + ", engine only (Exporter.export in this JVM, no JVM start)",
                    "qemu-img convert", t.get("qemu-img"), "Exporter.export", t.get("in-JVM"), null, true, "", null));
        }
        if (launcher != null) {
            rows.add(new Row(id + "c", "export, " + layout + ": JVM start and CLI cost (process / in-JVM)", "vhdstream vhd export",
                    t.get("vhdstream"), "Exporter.export", t.get("in-JVM"), null, true, "", null));
        }
        dropSection(d);
    }

    /** All outputs of the first round must be the same bytes; then they go. */
    private void verifyExports(Path img, List<Path> outputs) throws IOException {
        List<Path> present = outputs.stream().filter(Files::exists).toList();
        Path ref = present.get(0);
        for (Path p : present.subList(1, present.size())) {
            long n = compareFiles(ref, p);
            notes.add("Export outputs " + ref.getFileName() + " and " + p.getFileName() + " are byte-identical (" + n
                    + " bytes compared).");
        }
        if (Files.size(ref) != o.exportSize) {
            throw new IOException(ref + " has " + Files.size(ref) + " bytes, expected " + o.exportSize);
        }
        log.detail("    verified: " + present.stream().map(p -> p.getFileName().toString()).toList() + " are byte-identical");
        for (Path p : present) {
            Files.delete(p);
        }
    }
}
