package io.vhdstream.bench;

import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.convert.Exporter;
import io.vhdstream.vhd.convert.Importer;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.DataExtents;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Benchmarks of the VHD engine and the {@code vhdstream vhd} commands, all in one run on the same files:
 * <ol start="0">
 * <li>start-up: {@code vhdstream vhd info} of a small image vs a bare {@code java -version};</li>
 * <li>export: {@code vhdstream vhd export} vs {@code qemu-img convert -f vpc -O raw}, whole processes, on an
 * image whose blocks lie in random order and on one laid out sequentially;</li>
 * <li>chain: reading a disk through a deep differencing chain vs the same content in one flat image;</li>
 * <li>write: sequential writes into a fresh differencing layer vs plain positional writes to a file;</li>
 * <li>changed: listing present extents of a 2040 GiB layer vs a 2 GiB layer with the same blocks;</li>
 * <li>import: {@code vhdstream vhd import} of a 64 GiB sparse raw file with 1 MiB of data vs
 * {@code qemu-img convert -O vpc}.</li>
 * </ol>
 * Prints a Markdown report on stdout and writes it to {@code bench-out/vhd-bench.md}; progress goes to stderr.
 * Run it with {@code bench/run} (see docs/benchmarks.md), which starts this JVM with -Xmx256m.
 */
public final class VhdBench {
    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;
    static final long GIB = 1024 * MIB;
    static final long BLOCK = 2 * MIB;
    static final long SEED = 0x5EED_BEEFL;

    private final Options o;
    private final Log log = new Log();
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, HeapMeter.Peak> heap = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private Path work;
    private Path launcher;
    private Path qemuImg;

    private VhdBench(Options o) {
        this.o = o;
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("vhd-bench: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (o.help) {
            System.out.println(Options.USAGE);
            return;
        }
        System.exit(new VhdBench(o).run());
    }

    private int run() throws Exception {
        Files.createDirectories(o.dir);
        work = Files.createTempDirectory(o.dir, "vhd-bench-");
        launcher = o.launcher != null ? o.launcher : o.repo.resolve("vhdstream");
        if (!Files.isExecutable(launcher)) {
            notes.add("The launcher " + launcher + " was not found or is not executable: the CLI rows are skipped.");
            launcher = null;
        }
        qemuImg = Proc.which("qemu-img");
        if (qemuImg == null) {
            notes.add("qemu-img is not on PATH (Debian: apt-get install qemu-utils): the qemu rows are skipped.");
        }
        double loadStart = Machine.loadAverage();
        Machine machine = Machine.probe(work, qemuImg);
        log.step("work dir " + work + " (" + (o.quick ? "quick" : "full") + " run, " + o.warmups + " warm-up + " + o.samples
                + " runs per subject)");
        long usable = Files.getFileStore(work).getUsableSpace();
        long need = o.exportSize * 3 / 2 + o.chainSize * 2 + o.writeSize * 2 + o.changedBlocks * BLOCK;
        if (usable < need) {
            log.step(String.format("warning: %.1f GiB free in %s, this run needs about %.1f GiB", usable / (double) GIB, work,
                    need / (double) GIB));
        }
        boolean ok = true;
        try {
            if (launcher != null) {
                warmLauncher();
            }
            if (o.only.contains("startup")) {
                startup();
            }
            if (o.only.contains("export")) {
                export(true);
                export(false);
            }
            if (o.only.contains("import")) {
                sparseImport();
            }
            if (o.only.contains("chain")) {
                chain();
            }
            if (o.only.contains("write")) {
                write();
            }
            if (o.only.contains("changed")) {
                changed();
            }
        } catch (Exception e) {
            ok = false;
            notes.add("The run stopped on an error: " + e);
            log.step("error: " + e);
            e.printStackTrace();
        } finally {
            if (o.keep) {
                log.step("kept work dir " + work);
                notes.add("Work files kept in " + work + " (--keep).");
            } else {
                io.vhdstream.vhd.io.Directories.deleteTree(work);
            }
        }
        notes.add(0, "Page cache: it cannot be dropped without root, so every subject runs with its input warm in the cache "
                + "(each input is read once before timing, and the first round is a warm-up that is not counted); "
                + "outputs are deleted between runs, so each run writes a fresh file into the page cache.");
        String rounds = String.format("rows 1, 3 and 4b: %d warm-up + %d measured rounds (3: %d measured); rows 2 and 4a/4: "
                + "%d / %d warm-up + %d measured rounds", o.warmups, o.samples, 2 * o.samples, o.jvmWarmups, o.changedWarmups,
                o.jvmSamples);
        String report = Report.render(machine, o.quick ? "quick" : "full", rounds, work.toString(), loadStart,
                Machine.loadAverage(), rows, heap, notes, o.javaOptsVar + "=" + o.cliJavaOpts);
        System.out.println(report);
        Files.createDirectories(o.out.toAbsolutePath().getParent());
        Files.writeString(o.out, report, StandardCharsets.UTF_8);
        log.step("report written to " + o.out);
        boolean failed = rows.stream().anyMatch(r -> !r.verdict().equals("PASS") && r.target() != null && r.measured());
        return !ok ? 1 : failed && o.failOnMiss ? 3 : 0;
    }

    // ---------------------------------------------------------------------------------------------------------
    // 1. export: vhdstream vhd export vs qemu-img convert

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

    // ---------------------------------------------------------------------------------------------------------
    // 0. start-up: a short command against a bare JVM start

    private void startup() throws Exception {
        if (launcher == null) {
            rows.add(Row.skipped("0", "start-up", "no launcher"));
            return;
        }
        Path d = Files.createDirectories(work.resolve("startup"));
        Path img = d.resolve("small.vhd");
        VhdCreator.dynamic(img, 64 * MIB, BLOCK);
        Path out = d.resolve("out");
        Path err = d.resolve("err");
        List<String> java = List.of(java().toString(), "-Xshare:auto", "-version");
        List<Sampler.Subject> subjects = new ArrayList<>();
        subjects.add(new Sampler.Subject("java", null, () -> Proc.run(java, Map.of(), out, err), null));
        subjects.add(new Sampler.Subject("vhdstream", null, () -> cli(List.of("vhd", "info", img.toString()), out, err), null));
        if (qemuImg != null) {
            subjects.add(new Sampler.Subject("qemu-img", null,
                    () -> Proc.run(List.of(qemuImg.toString(), "info", img.toString()), Map.of(), out, err), null));
        }
        log.step("0. start-up: timing " + subjects.stream().map(Sampler.Subject::name).toList());
        Map<String, Stats> t = Sampler.alternate(subjects, 3, o.quick ? 10 : 30, null, log);
        rows.add(new Row("0", "start-up: `vhdstream vhd info` of a small image vs a bare `java -Xshare:auto -version`",
                "java -version", t.get("java"), "vhdstream vhd info", t.get("vhdstream"), 0.5, true,
                "≥ 0.5 (within 2×)", null));
        if (qemuImg != null) {
            rows.add(new Row("0b", "start-up: `qemu-img info` vs `vhdstream vhd info`, same image", "qemu-img info",
                    t.get("qemu-img"), "vhdstream vhd info", t.get("vhdstream"), null, true, "", null));
        }
        dropSection(d);
    }

    /** The java the launcher runs: $JAVA_HOME/bin/java, else java on PATH. */
    private static Path java() {
        String home = System.getenv("JAVA_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "java"))) {
            return Path.of(home, "bin", "java");
        }
        Path p = Proc.which("java");
        return p != null ? p : Path.of(System.getProperty("java.home"), "bin", "java");
    }

    // ---------------------------------------------------------------------------------------------------------
    // 5. import of a huge sparse raw file: vhdstream vhd import vs qemu-img convert -O vpc

    private void sparseImport() throws Exception {
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

    /** A finished benchmark's files go at once (they are large), unless --keep. */
    private void dropSection(Path d) throws IOException {
        if (!o.keep) {
            io.vhdstream.vhd.io.Directories.deleteTree(d);
        }
    }

    private static void deleteUnlessFirst(int round, Path p) throws IOException {
        if (round > 0) {
            Files.deleteIfExists(p);
        }
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

    /** Compares two files byte by byte (cmp); returns the length, throws at the first difference. */
    static long compareFiles(Path a, Path b) throws IOException {
        try (FileChannel ca = FileChannel.open(a); FileChannel cb = FileChannel.open(b)) {
            if (ca.size() != cb.size()) {
                throw new IOException(a + " has " + ca.size() + " bytes, " + b + " has " + cb.size());
            }
            ByteBuffer ba = ByteBuffer.allocateDirect((int) (4 * MIB));
            ByteBuffer bb = ByteBuffer.allocateDirect((int) (4 * MIB));
            long pos = 0;
            while (pos < ca.size()) {
                ba.clear();
                bb.clear();
                int n = (int) Math.min(ba.capacity(), ca.size() - pos);
                ba.limit(n);
                bb.limit(n);
                readFully(ca, ba, pos);
                readFully(cb, bb, pos);
                ba.flip();
                bb.flip();
                int m = ba.mismatch(bb);
                if (m >= 0) {
                    throw new IOException(a + " and " + b + " differ at byte " + (pos + m));
                }
                pos += n;
            }
            return pos;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new IOException("short read");
            }
            pos += n;
        }
    }

    /**
     * Gets a freshly written input ready for timing: flushed to disk first (else the kernel's write-back of
     * gigabytes of dirty pages would run during the first timed runs), then read once so that every subject
     * finds it in the page cache.
     */
    private static void settle(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        warm(p);
    }

    /**
     * Reads a file's data once so that every subject finds it in the page cache; holes hold nothing to cache
     * (reading the 64 GiB sparse file's holes took a minute).
     */
    private static void warm(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p)) {
            ByteBuffer b = ByteBuffer.allocateDirect((int) (4 * MIB));
            long size = ch.size();
            for (long pos = DataExtents.nextData(ch, 0, size); pos < size; pos = DataExtents.nextData(ch, pos, size)) {
                long hole = DataExtents.nextHole(ch, pos, size);
                while (pos < hole) {
                    b.clear().limit((int) Math.min(b.capacity(), hole - pos));
                    int n = ch.read(b, pos);
                    if (n < 0) {
                        return;
                    }
                    pos += n;
                }
            }
        }
    }

    /**
     * Runs the launcher as a user would, with the JVM options in its environment variable. The launcher
     * rebuilds the CLI when any module's sources changed (others may be editing this checkout): such a run
     * does not count and is repeated.
     */
    private void cli(List<String> args, Path out, Path err) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(args);
        Proc.run(cmd, Map.of(o.javaOptsVar, o.cliJavaOpts), out, err);
        String e = Files.readString(err, StandardCharsets.UTF_8);
        if (e.contains("building vhdstream")) {
            throw new Sampler.Retry("the launcher rebuilt the CLI");
        }
    }

    /** One launcher start before any timing: it builds the CLI if its jar is missing or stale. */
    private void warmLauncher() {
        log.step("starting the launcher once (it builds the CLI if needed)");
        Path out = work.resolve("launcher.out");
        Path err = work.resolve("launcher.err");
        for (List<String> args : List.of(List.of("--version"), List.of("--help"), List.of("vhd", "--help"))) {
            List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
            cmd.addAll(args);
            try {
                Proc.run(cmd, Map.of(o.javaOptsVar, o.cliJavaOpts), out, err);
                return;
            } catch (IOException e) {
                log.detail("    " + e.getMessage().lines().findFirst().orElse(""));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // 2. chain: depth-N chain vs flat image, VhdChain.read in 1 MiB chunks

    private record Run(long off, int len, int layer) {
    }

    private void chain() throws Exception {
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

    // ---------------------------------------------------------------------------------------------------------
    // 3. write: sequential 1 MiB writes into a fresh differencing layer vs plain FileChannel writes

    private void write() throws Exception {
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

    // ---------------------------------------------------------------------------------------------------------
    // 4. changed on a huge layer vs a small one with the same allocated blocks

    private void changed() throws Exception {
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

    // ---------------------------------------------------------------------------------------------------------

    static String size(long bytes) {
        if (bytes >= GIB && bytes % GIB == 0) {
            return bytes / GIB + " GiB";
        }
        if (bytes >= GIB) {
            return String.format("%.2f GiB", bytes / (double) GIB);
        }
        if (bytes % MIB == 0) {
            return bytes / MIB + " MiB";
        }
        return String.format("%.1f MiB", bytes / (double) MIB);
    }

    /** Command-line options. */
    static final class Options {
        static final String USAGE = """
                usage: bench/run [--quick] [--runs N] [--dir DIR] [--keep] [--only startup,export,import,chain,write,changed]
                                 [--launcher PATH] [--out FILE] [--fail-on-miss]
                  --quick         small sizes and 3 runs: a smoke run of the harness (under a minute)
                  --runs N        runs per subject, the first dropped as warm-up (default 5; quick 3)
                  --dir DIR       where to make the work dir vhd-bench-* (default /tmp); it is deleted at the end
                  --keep          keep the work dir
                  --only LIST     run only these benchmarks
                  --launcher PATH the vhdstream launcher (default REPO/vhdstream)
                  --java-opts-var NAME  environment variable that passes JVM options to the launcher
                                  (default VHDSTREAM_JAVA_OPTS); --cli-java-opts STR its value (default -Xmx256m)
                  --out FILE      the Markdown report (default REPO/bench-out/vhd-bench.md; quick: vhd-bench-quick.md)
                  --fail-on-miss  exit 3 when a row is not PASS (FAIL or MIXED)""";

        boolean help;
        boolean quick;
        boolean keep;
        boolean failOnMiss;
        int warmups = 1;
        int samples = 4;
        int jvmWarmups;
        int jvmSamples;
        int changedWarmups;
        Path dir = Path.of("/tmp");
        Path repo = Path.of("").toAbsolutePath();
        Path launcher;
        Path out;
        String javaOptsVar = "VHDSTREAM_JAVA_OPTS";
        String cliJavaOpts = "-Xmx256m";
        Set<String> only = new LinkedHashSet<>(List.of("startup", "export", "import", "chain", "write", "changed"));
        long exportSize = 4 * GIB;
        long sparseSize = 64 * GIB;
        long chainSize = 512 * MIB;
        int depth = 8;
        double unwritten = 0.1;
        long writeSize = GIB;
        long smallSize = 2 * GIB;
        int changedBlocks = 1000;

        static Options parse(String[] args) {
            Options o = new Options();
            Integer runs = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help" -> o.help = true;
                    case "--quick" -> o.quick = true;
                    case "--keep" -> o.keep = true;
                    case "--fail-on-miss" -> o.failOnMiss = true;
                    case "--runs" -> runs = Integer.parseInt(value(args, ++i, a));
                    case "--dir" -> o.dir = Path.of(value(args, ++i, a)).toAbsolutePath();
                    case "--repo" -> o.repo = Path.of(value(args, ++i, a)).toAbsolutePath();
                    case "--launcher" -> o.launcher = Path.of(value(args, ++i, a)).toAbsolutePath();
                    case "--out" -> o.out = Path.of(value(args, ++i, a)).toAbsolutePath();
                    case "--java-opts-var" -> o.javaOptsVar = value(args, ++i, a);
                    case "--cli-java-opts" -> o.cliJavaOpts = value(args, ++i, a);
                    case "--only" -> {
                        Set<String> want = new LinkedHashSet<>(List.of(value(args, ++i, a).split(",")));
                        for (String w : want) {
                            if (!o.only.contains(w)) {
                                throw new IllegalArgumentException("unknown benchmark '" + w + "'");
                            }
                        }
                        o.only = want;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (o.quick) {
                o.exportSize = 256 * MIB;
                o.sparseSize = 4 * GIB;
                o.chainSize = 64 * MIB;
                o.writeSize = 128 * MIB;
                o.changedBlocks = 100;
            }
            int r = runs != null ? runs : o.quick ? 3 : 5;
            if (r < 2) {
                throw new IllegalArgumentException("--runs must be at least 2 (the first is a warm-up)");
            }
            o.warmups = 1;
            o.samples = r - 1;
            // reads through the chain and presentExtents() take milliseconds: more rounds, and enough warm-up
            // rounds for the JIT to have compiled the open path too (a long-running service's steady state)
            o.jvmWarmups = o.quick ? 20 : 100;
            o.jvmSamples = 10 * (r - 1);
            // opening an image runs once per round: it takes about a thousand rounds to reach C2
            o.changedWarmups = o.quick ? 50 : 1000;
            if (o.out == null) {
                // a smoke run must not overwrite the last full report
                o.out = o.repo.resolve("bench-out").resolve(o.quick ? "vhd-bench-quick.md" : "vhd-bench.md");
            }
            return o;
        }

        private static String value(String[] args, int i, String opt) {
            if (i >= args.length) {
                throw new IllegalArgumentException(opt + " needs a value");
            }
            return args[i];
        }
    }
}
