package io.vhdstream.bench;

import io.vhdstream.vhd.create.VhdCreator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.vhdstream.bench.VhdBench.BLOCK;
import static io.vhdstream.bench.VhdBench.MIB;

/** Benchmark 0. start-up: {@code vhdstream vhd info} of a small image vs a bare {@code java -version}. */
final class StartupBench extends Section {
    StartupBench(Env env) {
        super(env);
    }

    @Override
    void run() throws Exception {
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
}
