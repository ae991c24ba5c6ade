package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.ExitCodes;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.JsonWriter;
import io.vhdstream.cli.util.Text;
import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.Severity;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.check.CheckReport;
import io.vhdstream.vhd.check.VhdChecker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vhdstream vhd check FILE [--json]}: every problem the checker finds, one line each. Exit 0 when
 * clean (no finding at all, warnings included), 1 when there are problems (a file that is not a VHD gets a
 * report too), 2 for usage errors and files that cannot be read at all.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check an image's structures and its parent chain, reporting every problem found:",
            "  SEVERITY CODE [structure @offset] message",
            "Clean means no finding at all, warnings included. The parent is looked for as the chain-reading verbs"
                + " do (--allow-root); checksum mismatches are always reported."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:The image is clean.", "1:Problems were found (listed on stdout).",
            "2:Usage error, or the file is missing or cannot be read."})
public final class CheckCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The image.")
    Path file;

    @Option(names = "--json", description = "Print one JSON object: {\"file\",\"clean\",\"problems\":[{\"code\","
            + "\"severity\",\"structure\",\"offset\",\"message\",\"fatal\"}]} (offset -1: no single place).")
    boolean json;

    @Option(names = "--allow-root", paramLabel = "DIR",
            description = "Also resolve parents under DIR (repeatable); by default only under the image's directory.")
    List<Path> allowRoots = new ArrayList<>();

    @Override
    public Integer call() {
        if (!Files.exists(file)) {
            throw CliException.usage(ProblemCode.IO_ERROR.name(), "no such file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw CliException.usage(ProblemCode.IO_ERROR.name(), file + " is a directory");
        }
        for (Path root : allowRoots) {
            if (!Files.isDirectory(root)) {
                throw CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), "--allow-root " + root + " is not a directory");
            }
        }
        CheckReport report;
        try {
            report = VhdChecker.check(file, ChainOptions.forImage(file, allowRoots));
        } catch (VhdException e) {
            // The engine gave up part-way: still a report, with what stopped it.
            report = new CheckReport(file, List.of(new Problem(e.code(), Severity.ERROR, "file", -1, e.detail(), true)));
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, ProblemCode.IO_ERROR.name(), "cannot read " + file + ": " + e.getMessage(), e);
        }
        if (json) {
            out().println(json(report));
        } else {
            for (Problem p : report.problems()) {
                out().println(Text.oneLine(p.toString()));
            }
            out().println(Text.printable(summary(report)));
        }
        return report.clean() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    private static String summary(CheckReport r) {
        if (r.clean()) {
            return r.file() + ": clean";
        }
        long errors = r.problems().stream().filter(p -> p.severity() == Severity.ERROR).count();
        long warnings = r.problems().size() - errors;
        return r.file() + ": " + r.problems().size() + (r.problems().size() == 1 ? " problem" : " problems") + " ("
                + errors + (errors == 1 ? " error, " : " errors, ") + warnings + (warnings == 1 ? " warning)" : " warnings)");
    }

    static String json(CheckReport r) {
        JsonWriter w = new JsonWriter().beginObject();
        w.field("file", r.file().toString());
        w.field("clean", r.clean());
        w.name("problems").beginArray();
        for (Problem p : r.problems()) {
            w.beginObject().field("code", p.code().name()).field("severity", p.severity().name())
                    .field("structure", p.structure()).field("offset", p.offset()).field("message", p.message())
                    .field("fatal", p.fatal()).endObject();
        }
        w.endArray();
        return w.endObject().toString();
    }
}
