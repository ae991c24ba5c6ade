package io.vhdstream.cli;

import io.vhdstream.cli.Commands.Node;
import picocli.CommandLine;
import picocli.CommandLine.HelpCommand;

import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@code vhdstream} command line: the command tree (from {@link Commands}), the writers over the
 * given streams, and the error handler. {@link Main} and the tests both start at {@link #run}, so tests see
 * exactly what users see.
 */
public final class Cli {
    static {
        // picocli looks for Groovy's Closure class once; on the CLI's class path of ~100 jars a failed lookup
        // opens every one of them (a third of a short command's start-up).
        System.setProperty("picocli.disable.closures", "true");
        // Nor does it get converters for java.sql and java.time types (loading and initialising java.time's
        // formatters for every command): options of those types are not supported, take a String instead.
        System.setProperty("picocli.converters.excludes", "java\\.(sql|time)\\..*");
    }

    private Cli() {
    }

    /** Runs one invocation, building only the commands {@code args} name; returns the exit status. */
    public static int run(Terminal terminal, String... args) {
        return execute(commandLine(terminal, args), args);
    }

    /** The whole command tree. */
    public static CommandLine commandLine(Terminal terminal) {
        return configure(build(terminal, List.of(Commands.TREE)), terminal);
    }

    /**
     * The command tree as far as {@code args} need it: the commands on the path they name, and below the
     * last one everything (all of it when the path ends at a group, at {@code help} or at an argument that
     * is not a subcommand). Options before a subcommand's name are taken to have no value, as every group's
     * options are; when that guess is wrong the path only stops early and more is built.
     */
    public static CommandLine commandLine(Terminal terminal, String... args) {
        if (onlyVersion(args)) {
            // the version needs no subcommand: building them all would cost more than the rest of the run
            return configure(new CommandLine(new VhdstreamCommand(terminal).model()), terminal);
        }
        List<Node> path = new ArrayList<>();
        path.add(Commands.TREE);
        for (String arg : args) {
            Node at = path.get(path.size() - 1);
            if (!at.isGroup()) {
                break;
            }
            if (arg.startsWith("-") && !arg.equals("-") && !arg.equals("--")) {
                continue;
            }
            Node next = at.child(arg);
            if (next == null || next.type() == HelpCommand.class) {
                break;
            }
            path.add(next);
        }
        return configure(build(terminal, path), terminal);
    }

    private static boolean onlyVersion(String[] args) {
        for (String a : args) {
            if (!a.equals("-V") && !a.equals("--version")) {
                return false;
            }
        }
        return args.length > 0;
    }

    /** Builds the commands on {@code path} and, below its last one, all of that one's subcommands. */
    private static CommandLine build(Terminal terminal, List<Node> path) {
        CommandLine root = new CommandLine(new VhdstreamCommand(terminal).model());
        CommandLine at = root;
        for (Node node : path.subList(1, path.size())) {
            at = add(at, node);
        }
        addAll(at, path.get(path.size() - 1));
        return root;
    }

    private static void addAll(CommandLine cli, Node node) {
        for (Node child : node.children()) {
            addAll(add(cli, child), child);
        }
    }

    private static CommandLine add(CommandLine parent, Node child) {
        if (CodedCommand.class.isAssignableFrom(child.type())) {
            parent.addSubcommand(child.name(), new CommandLine(coded(child.type()).model()));
        } else {
            parent.addSubcommand(child.name(), child.type());
        }
        return parent.getSubcommands().get(child.name());
    }

    private static CodedCommand coded(Class<?> type) {
        try {
            return (CodedCommand) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type + " needs a public no-argument constructor", e);
        }
    }

    /** Settings picocli applies to the commands that exist when they are set: call after building the tree. */
    private static CommandLine configure(CommandLine cli, Terminal terminal) {
        cli.setOut(writer(terminal.out()));
        cli.setErr(writer(terminal.err()));
        ErrorHandler handler = new ErrorHandler();
        cli.setExecutionExceptionHandler(handler);
        cli.setParameterExceptionHandler(handler);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }

    /** Runs one invocation and flushes both writers; returns the exit status (see {@link ExitCodes}). */
    public static int execute(CommandLine cli, String... args) {
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            cli.getErr().println(ErrorHandler.line("INTERNAL", "out of memory (raise it with VHDSTREAM_JAVA_OPTS=-Xmx...)"));
            return ExitCodes.FAILURE;
        } finally {
            cli.getOut().flush();
            cli.getErr().flush();
        }
    }

    private static PrintWriter writer(OutputStream stream) {
        // UTF-8 always: JSON must be UTF-8, and paths from images are Unicode.
        return new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
    }
}
