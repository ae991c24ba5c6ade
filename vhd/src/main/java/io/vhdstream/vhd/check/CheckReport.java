package io.vhdstream.vhd.check;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.Severity;

import java.nio.file.Path;
import java.util.List;

/** What {@link VhdChecker} found in one image; clean means nothing at all, warnings included. */
public record CheckReport(Path file, List<Problem> problems) {
    public CheckReport {
        problems = List.copyOf(problems);
    }

    public boolean clean() {
        return problems.isEmpty();
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(p -> p.severity() == Severity.ERROR);
    }

    public boolean has(io.vhdstream.vhd.ProblemCode code) {
        return problems.stream().anyMatch(p -> p.code() == code);
    }
}
