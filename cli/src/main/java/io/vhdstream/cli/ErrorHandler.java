package io.vhdstream.cli;

import io.vhdstream.cli.util.Text;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Arrays;
import java.util.List;

/**
 * Turns every failure into one line on stderr, {@code vhdstream: CODE: message}, and an exit status; the
 * stack trace follows only with {@code --debug}. The mapping:
 * <ul>
 * <li>picocli parse errors: {@code USAGE}, exit 2;</li>
 * <li>{@link CliException}: its own code and status;</li>
 * <li>{@link VhdException}: its {@link ProblemCode}, exit 2 for INVALID_ARGUMENT and UNALIGNED, else 1;</li>
 * <li>configuration and cluster problems ({@link KafkaFailures}): {@code CONFIG} (exit 2), {@code UNREACHABLE},
 *     {@code AUTHENTICATION}, {@code NOT_AUTHORIZED}, {@code TOPICS}, {@code KAFKA} (exit 1);</li>
 * <li>other {@link IOException}: {@code IO_ERROR} (or ALREADY_EXISTS), exit 1;</li>
 * <li>anything else is a bug: {@code INTERNAL}, exit 1.</li>
 * </ul>
 * With {@code --json}, the failure is also printed on stdout as a JSON document
 * ({@code {"version":1,"error":{"code":...,"message":...}}}), so a consumer parsing stdout sees it.
 */
public final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final String PREFIX = "vhdstream: ";

    /** The single error line: the code, then the message made printable and flattened to one line. */
    static String line(String code, String message) {
        return PREFIX + code + ": " + Text.oneLine(message);
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cli = ex.getCommandLine();
        PrintWriter err = cli.getErr();
        StringBuilder msg = new StringBuilder(String.valueOf(ex.getMessage()));
        if (ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            msg.append("; did you mean ").append(String.join(" or ", u.getSuggestions())).append('?');
        }
        msg.append(" (see '").append(cli.getCommandSpec().qualifiedName()).append(" --help')");
        if (Arrays.asList(args).contains("--json")) {
            JsonErrors.print(cli.getOut(), "USAGE", msg.toString());
        }
        err.println(line("USAGE", msg.toString()));
        if (Arrays.asList(args).contains("--debug")) {
            ex.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parseResult) {
        return report(cli, ex, matched(parseResult, "--json"), matched(parseResult, "--debug"));
    }

    /**
     * Reports one failure of the command {@code cli} (a verb that goes on after a failed file calls this for
     * each) and returns its exit status.
     */
    public static int report(CommandLine cli, Throwable ex, boolean json, boolean debug) {
        if (ex instanceof ClosedStdout.Closed || ex.getCause() instanceof ClosedStdout.Closed) {
            return ExitCodes.OK; // `| head`: the reader had enough
        }
        PrintWriter err = cli.getErr();
        Failure f = describe(ex);
        String message = f.message;
        if (ex instanceof VhdException v && CHECKSUM_CODES.contains(v.code())
                && cli.getCommandSpec().findOption("--lenient") != null
                && !Boolean.TRUE.equals(cli.getCommandSpec().findOption("--lenient").getValue())) {
            message += " (--lenient reads it anyway)";
        }
        if (json) {
            JsonErrors.print(cli.getOut(), f.code, message);
        }
        err.println(line(f.code, message));
        if (debug) {
            ex.printStackTrace(err);
        }
        err.flush();
        return f.exitCode;
    }

    private static final List<ProblemCode> CHECKSUM_CODES = List.of(ProblemCode.FOOTER_CHECKSUM, ProblemCode.HEADER_CHECKSUM);

    record Failure(String code, String message, int exitCode) {
    }

    private static Failure describe(Throwable ex) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) {
            return describe(u.getCause());
        }
        if (ex instanceof CliException c) {
            return new Failure(c.code(), c.getMessage(), c.exitCode());
        }
        if (ex instanceof io.vhdstream.topology.rebuild.RebuildException r) {
            return new Failure(r.code(), r.getMessage(), ExitCodes.FAILURE);
        }
        if (ex instanceof VhdException v) {
            boolean usage = v.code() == ProblemCode.INVALID_ARGUMENT || v.code() == ProblemCode.UNALIGNED;
            return new Failure(v.code().name(), v.detail(), usage ? ExitCodes.USAGE : ExitCodes.FAILURE);
        }
        Failure kafka = KafkaFailures.describe(ex);
        if (kafka != null) {
            return kafka;
        }
        if (ex instanceof FileAlreadyExistsException e) {
            return new Failure(ProblemCode.ALREADY_EXISTS.name(), e.getFile() + " already exists", ExitCodes.FAILURE);
        }
        if (ex instanceof NoSuchFileException e) {
            return io("no such file: " + e.getFile());
        }
        if (ex instanceof AccessDeniedException e) {
            return io("permission denied: " + e.getFile());
        }
        if (ex instanceof NotDirectoryException e) {
            return io("not a directory: " + e.getFile());
        }
        if (ex instanceof FileSystemException e) {
            return io(e.getFile() + (e.getReason() != null ? ": " + e.getReason() : ""));
        }
        if (ex instanceof IOException e) {
            String m = e.getMessage();
            if (m != null && m.contains("Broken pipe")) {
                return io("output closed early (broken pipe)");
            }
            return io(m != null ? m : e.getClass().getSimpleName());
        }
        return new Failure("INTERNAL", "unexpected " + ex.getClass().getName()
                + (ex.getMessage() != null ? ": " + ex.getMessage() : "") + " (run with --debug for the stack trace)",
                ExitCodes.FAILURE);
    }

    private static Failure io(String message) {
        return new Failure(ProblemCode.IO_ERROR.name(), message, ExitCodes.FAILURE);
    }

    /** {@code option} given at any level (--debug is inherited, so it may follow the verb). */
    private static boolean matched(ParseResult pr, String option) {
        for (ParseResult p = pr; p != null; p = p.hasSubcommand() ? p.subcommand() : null) {
            if (p.hasMatchedOption(option)) {
                return true;
            }
        }
        return false;
    }
}
