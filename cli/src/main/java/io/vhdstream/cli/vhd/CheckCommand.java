package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.ExitCodes;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.Text;
import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.Severity;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.check.CheckReport;
import io.vhdstream.vhd.check.VhdChecker;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code vhdstream vhd check FILE... [--json] [--strict]}: every problem the checker finds, one line each,
 * for each file. Exit status as {@code qemu-img check} documents its own: the worst file decides (see
 * {@link CheckStatus}). A short command, so its model is written in code ({@link CodedCommand}).
 */
public final class CheckCommand extends VerbCommand implements CodedCommand {
    private Models.Value<List<Path>> files;
    private Models.Value<Boolean> json;
    private Models.Value<Boolean> strict;
    private Models.Value<List<Path>> allowRoots;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "check",
                "Check images' structures and parent chains and report every problem found.",
                "Each problem is printed on a line of its own as",
                "  FILE: SEVERITY CODE [structure @offset] message",
                "then a summary line per file. Warnings are findings other tools tolerate (data reads correctly); they are"
                        + " printed but do not fail the check unless --strict is given. The parent is looked for as the"
                        + " chain-reading verbs do (--allow-root); checksum mismatches are always reported.");
        Models.exitCodes(spec, "%nExit codes (the worst file decides):%n",
                "0:No errors: every file is clean or has only warnings (printed).",
                "1:Errors were found in at least one file (or, with --strict, warnings).",
                "2:A file is missing or cannot be read, or a usage error.");
        files = Models.positionals(spec, "0", "1..*", "FILE", Path.class, "The images.");
        json = Models.flag(spec, "--json", "Print one JSON object per file, one per line: {\"version\":1,\"file\","
                + "\"clean\",\"errors\",\"warnings\",\"problems\":[{\"file\",\"code\",\"severity\",\"structure\",\"offset\","
                + "\"message\",\"fatal\"}]} ({\"version\":1,\"file\",\"error\":{\"code\",\"message\"}} for an unreadable file).");
        strict = Models.flag(spec, "--strict", "Warnings fail the check too (exit 1).");
        allowRoots = Models.repeatable(spec, "--allow-root", "DIR", Path.class,
                "Also resolve parents under DIR (repeatable); by default only under the image's directory.");
        return spec;
    }

    @Override
    public Integer call() {
        ChainOptionsMixin.requireDirectories(allowRoots.value());
        int worst = ExitCodes.OK;
        for (Path file : files.value()) {
            worst = Math.max(worst, checkOne(file));
        }
        return worst;
    }

    private int checkOne(Path file) {
        CheckReport report;
        try {
            report = check(file);
        } catch (CliException e) {
            if (json.value()) {
                CheckJson.printUnreadable(out(), file, e.code(), e.getMessage());
            }
            err().println(Text.oneLine("vhdstream: " + e.code() + ": " + e.getMessage()));
            return ExitCodes.USAGE;
        }
        if (json.value()) {
            CheckJson.print(out(), report);
        } else {
            for (Problem p : report.problems()) {
                out().println(Text.oneLine(file + ": " + p));
            }
            out().println(Text.printable(summary(report)));
        }
        return CheckStatus.of(report, strict.value());
    }

    private CheckReport check(Path file) {
        if (!Files.exists(file)) {
            throw CliException.usage(ProblemCode.IO_ERROR.name(), "no such file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw CliException.usage(ProblemCode.IO_ERROR.name(), file + " is a directory");
        }
        try {
            return VhdChecker.check(file, ChainOptions.forImage(file, allowRoots.value()));
        } catch (VhdException e) {
            if (e.code() == ProblemCode.IO_ERROR) {
                throw CliException.usage(ProblemCode.IO_ERROR.name(), "cannot read " + file + ": " + e.detail());
            }
            // The engine gave up part-way: still a report, with what stopped it.
            return new CheckReport(file, List.of(new Problem(e.code(), Severity.ERROR, "file", -1, e.detail(), true)));
        } catch (IOException e) {
            throw CliException.usage(ProblemCode.IO_ERROR.name(), "cannot read " + file + ": " + e.getMessage());
        }
    }

    static String summary(CheckReport r) {
        if (r.clean()) {
            return r.file() + ": clean";
        }
        long errors = CheckStatus.errors(r);
        long warnings = r.problems().size() - errors;
        if (errors == 0) {
            return r.file() + ": " + warnings + (warnings == 1 ? " warning" : " warnings") + ", no errors";
        }
        return r.file() + ": " + r.problems().size() + (r.problems().size() == 1 ? " problem" : " problems") + " ("
                + errors + (errors == 1 ? " error, " : " errors, ") + warnings + (warnings == 1 ? " warning)" : " warnings)");
    }
}
