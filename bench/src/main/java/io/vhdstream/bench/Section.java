package io.vhdstream.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One benchmark of a {@link VhdBench} run: what every benchmark shares (the options, the progress log, the report's rows,
 * heap peaks and notes, the work dir, the launcher and qemu-img when found) and the helpers they time with.
 */
abstract class Section {
    /** The run's shared state, made once the work dir, the launcher and qemu-img are known. */
    record Env(VhdBench.Options o, Log log, List<Row> rows, Map<String, HeapMeter.Peak> heap, List<String> notes, Path work,
               Path launcher, Path qemuImg) {
    }

    final VhdBench.Options o;
    final Log log;
    final List<Row> rows;
    final Map<String, HeapMeter.Peak> heap;
    final List<String> notes;
    final Path work;
    final Path launcher;
    final Path qemuImg;

    Section(Env env) {
        this.o = env.o();
        this.log = env.log();
        this.rows = env.rows();
        this.heap = env.heap();
        this.notes = env.notes();
        this.work = env.work();
        this.launcher = env.launcher();
        this.qemuImg = env.qemuImg();
    }

    abstract void run() throws Exception;

    /** A finished benchmark's files go at once (they are large), unless --keep. */
    void dropSection(Path d) throws IOException {
        if (!o.keep) {
            io.vhdstream.vhd.io.Directories.deleteTree(d);
        }
    }

    static void deleteUnlessFirst(int round, Path p) throws IOException {
        if (round > 0) {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Runs the launcher as a user would, with the JVM options in its environment variable. The launcher
     * rebuilds the CLI when any module's sources changed (others may be editing this checkout): such a run
     * does not count and is repeated.
     */
    void cli(List<String> args, Path out, Path err) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(args);
        Proc.run(cmd, Map.of(o.javaOptsVar, o.cliJavaOpts), out, err);
        String e = Files.readString(err, StandardCharsets.UTF_8);
        if (e.contains("building vhdstream")) {
            throw new Sampler.Retry("the launcher rebuilt the CLI");
        }
    }
}
