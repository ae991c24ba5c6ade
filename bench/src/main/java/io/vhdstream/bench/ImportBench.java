package io.vhdstream.bench;

import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.convert.Importer;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static io.vhdstream.bench.BenchFiles.settle;
import static io.vhdstream.bench.VhdBench.BLOCK;
import static io.vhdstream.bench.VhdBench.KIB;
import static io.vhdstream.bench.VhdBench.MIB;
import static io.vhdstream.bench.VhdBench.SEED;
import static io.vhdstream.bench.VhdBench.size;

/** Benchmark 5. import of a huge sparse raw file: {@code vhdstream vhd import} vs {@code qemu-img convert -O vpc}; outputs checked with qemu-img compare. */
final class ImportBench extends Section {
    ImportBench(Env env) {
        super(env);
    }

    @Override
    void run() throws Exception {
        String title = "import a " + size(o.sparseSize) + " sparse raw file holding 1 MiB of data → dynamic VHD, whole process";
        if (launcher == null || qemuImg == null) {
            rows.add(Row.skipped("5", title, launcher == null ? "no launcher" : "no qemu-img"));
            return;
        }
        Path d = Files.createDirectories(work.resolve("import"));
        Path raw = d.resolve("sparse.raw");
        Path ours = d.resolve("ours.vhd");
        Path qemu = d.resolve("qemu.vhd");
        Path jvm = d.resolve("jvm.vhd");
        log.step("5. " + title + ": creating");
        byte[] data = new byte[(int) (256 * KIB)];
        Rand r = new Rand(SEED + 5);
        try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            // four 256 KiB runs spread over the disk, the last one ending at its end; whole sectors (1 MiB stored)
            for (long at : new long[] {0, (o.sparseSize / 3 & -KIB) + 64 * KIB, o.sparseSize / 2 + 4 * KIB,
                o.sparseSize - data.length}) {
                r.fill(data, 0, data.length);
                ch.write(ByteBuffer.wrap(data), at);
            }
        }
        settle(raw);
        List<Sampler.Subject> subjects = List.of(
                new Sampler.Subject("qemu-img", () -> Files.deleteIfExists(qemu),
                        () -> Proc.run(List.of(qemuImg.toString(), "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=dynamic,force_size=on",
                                raw.toString(), qemu.toString()), Map.of(), d.resolve("qemu.out"), d.resolve("qemu.err")),
                        round -> deleteUnlessFirst(round, qemu)),
                new Sampler.Subject("vhdstream", () -> Files.deleteIfExists(ours),
                        () -> cli(List.of("vhd", "import", raw.toString(), ours.toString()), d.resolve("ours.out"), d.resolve("ours.err")),
                        round -> deleteUnlessFirst(round, ours)),
                new Sampler.Subject("in-JVM", () -> Files.deleteIfExists(jvm),
                        () -> Importer.importRaw(raw, jvm, DiskType.DYNAMIC, BLOCK, ProgressListener.NONE),
                        round -> deleteUnlessFirst(round, jvm)));
        log.step("5. timing " + subjects.stream().map(Sampler.Subject::name).toList());
        Map<String, Stats> t = Sampler.alternate(subjects, o.warmups, o.samples, round -> {
            if (round == 0) {
                verifyImports(d, raw, List.of(ours, jvm, qemu));
            }
        }, log);
        rows.add(new Row("5", title, "qemu-img convert", t.get("qemu-img"), "vhdstream vhd import", t.get("vhdstream"), 0.5, true,
                "≥ 0.5 (within 2×)", null));
        rows.add(new Row("5b", "import, engine only (Importer.importRaw in this JVM, no JVM start)", "qemu-img convert",
                t.get("qemu-img"), "Importer.importRaw", t.get("in-JVM"), null, true, "", null));
        dropSection(d);
    }

    /** Every import of the first round reads back as the raw file (qemu-img compare, holes included); then they go. */
    private void verifyImports(Path d, Path raw, List<Path> images) throws Exception {
        for (Path img : images) {
            Proc.run(List.of(qemuImg.toString(), "compare", "-f", "raw", "-F", "vpc", raw.toString(), img.toString()), Map.of(),
                    d.resolve("compare.out"), d.resolve("compare.err"));
            notes.add("Import output " + img.getFileName() + " reads the same as the raw file (qemu-img compare).");
        }
        try (VhdImage img = VhdImage.open(images.get(0))) {
            long stored = img.presentExtents().stream().mapToLong(Extent::length).sum();
            if (stored != MIB) {
                throw new IOException(images.get(0) + " stores " + stored + " bytes, expected exactly the 1 MiB of data");
            }
        }
        log.detail("    verified: " + images.stream().map(p -> p.getFileName().toString()).toList() + " equal the raw file");
        for (Path p : images) {
            Files.delete(p);
        }
    }
}
