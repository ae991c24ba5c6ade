package io.vhdstream.cli.vhd;

import io.vhdstream.cli.json.ErrorJson;
import io.vhdstream.cli.json.JsonOutput;
import io.vhdstream.cli.json.ProblemJson;
import io.vhdstream.vhd.check.CheckReport;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** {@code check --json}: one document per file (kept apart from the command so Jackson loads only for --json). */
final class CheckJson {
    private CheckJson() {
    }

    record Report(String file, boolean clean, long errors, long warnings, List<ProblemJson> problems) {
    }

    record Unreadable(String file, ErrorJson error) {
    }

    static void print(PrintWriter out, CheckReport r) {
        long errors = CheckStatus.errors(r);
        JsonOutput.print(out, new Report(abs(r.file()), r.clean(), errors, r.problems().size() - errors,
                r.problems().stream().map(p -> ProblemJson.of(r.file(), p)).toList()));
    }

    static void printUnreadable(PrintWriter out, Path file, String code, String message) {
        JsonOutput.print(out, new Unreadable(abs(file), new ErrorJson(code, message)));
    }

    static String abs(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }
}
