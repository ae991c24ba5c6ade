package io.vhdstream.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/** The Markdown report. */
final class Report {
    private Report() {
    }

    static String render(Machine m, String mode, String rounds, String workDir, double loadStart, double loadEnd,
                         List<Row> rows, Map<String, HeapMeter.Peak> heap, List<String> notes, String cliOpts) {
        StringBuilder s = new StringBuilder();
        s.append("# vhdstream VHD engine benchmarks\n\n");
        s.append("Measured ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(", mode **").append(mode)
                .append("**; subjects alternate A B / B A; ").append(rounds).append("; work dir `").append(workDir).append("`.\n\n");
        s.append("| nproc | CPU | memory | OS | Java | qemu-img | work dir file system | load avg start → end |\n");
        s.append("|---|---|---|---|---|---|---|---|\n");
        s.append(String.format("| %d | %s | %s | %s | %s | %s | %s | %.2f → %.2f |%n%n", m.nproc(), m.cpu(), m.memory(), m.os(),
                m.java(), m.qemu(), m.fileSystem(), loadStart, loadEnd));
        s.append("Ratio = A / B of wall times: median over median, and min over min. **PASS** needs both ratios to meet the "
                + "target, **FAIL** means neither does, **MIXED** one of them (the min ratio compares each subject at its least "
                + "disturbed). Load = 1-minute load average when the row was measured (2 cores: above 2, others were running).\n\n");
        s.append("| # | benchmark | A | A median | A min | B | B median | B min | ratio (median) | ratio (min) | target | result | load |\n");
        s.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            if (!r.measured()) {
                s.append(String.format("| %s | %s | | | | | | | | | %s | SKIP: %s | |%n", r.id(), r.title(), r.targetText(),
                        r.skipped()));
                continue;
            }
            s.append(String.format("| %s | %s | %s | %s | %s | %s | %s | %s | %.2f | %.2f | %s | %s | %.1f |%n", r.id(), r.title(),
                    r.aName(), time(r.a().median()), time(r.a().min()), r.bName(), time(r.b().median()), time(r.b().min()),
                    r.ratioMedian(), r.ratioMin(), r.targetText().isEmpty() ? "—" : r.targetText(), bold(r.verdict()),
                    r.load()));
        }
        s.append("\n## Peak heap of the in-JVM parts (this JVM: -Xmx").append(HeapMeter.heapMax() >> 20).append("m)\n\n");
        s.append("| part | peak heap used (sampled every 2 ms, garbage included) | peak live after a GC | GCs |\n");
        s.append("|---|---|---|---|\n");
        heap.forEach((k, p) -> s.append(String.format("| %s | %s | %s | %d |%n", k, mib(p.sampledUsed()), mib(p.afterGcUsed()),
                p.collections())));
        s.append("\nCLI processes ran with `").append(cliOpts).append("`.\n");
        s.append("\n## Notes\n\n");
        for (String n : notes) {
            s.append("- ").append(n).append('\n');
        }
        return s.toString();
    }

    private static String bold(String v) {
        return v.equals("PASS") || v.equals("FAIL") || v.equals("MIXED") ? "**" + v + "**" : v;
    }

    static String time(double sec) {
        return sec >= 1 ? String.format("%.2f s", sec) : String.format("%.1f ms", sec * 1000);
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
