package io.vhdstream.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
            Section.Env env = new Section.Env(o, log, rows, heap, notes, work, launcher, qemuImg);
            if (o.only.contains("startup")) {
                new StartupBench(env).run();
            }
            if (o.only.contains("export")) {
                new ExportBench(env).run();
            }
            if (o.only.contains("import")) {
                new ImportBench(env).run();
            }
            if (o.only.contains("chain")) {
                new ChainBench(env).run();
            }
            if (o.only.contains("write")) {
                new WriteBench(env).run();
            }
            if (o.only.contains("changed")) {
                new ChangedBench(env).run();
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

