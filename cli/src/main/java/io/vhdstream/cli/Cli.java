package io.vhdstream.cli;

import io.vhdstream.cli.Commands.Node;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;

import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

    /**
     * Runs one invocation, building only the commands {@code args} name (a help text the launcher recorded is
     * printed from its recording, {@link HelpTexts}); returns the exit status.
     */
    public static int run(Terminal terminal, String... args) {
        if (HelpTexts.print(terminal, args)) {
            return ExitCodes.OK;
        }
        return execute(commandLine(terminal, args), args);
    }

    /** The whole command tree. */
    public static CommandLine commandLine(Terminal terminal) {
        return configure(build(terminal, List.of(Commands.TREE), Set.of(), true), terminal);
    }

    /**
     * The command tree as far as {@code args} need it: the commands on the path they name, and below the
     * last one its whole subtree when an argument names one of its subcommands (the path ends at {@code help},
     * or stopped early), otherwise listings of its subcommands (a group's help, a missing or unknown verb).
     * Options before a subcommand's name are taken to have no value, as every group's options are; when that
     * guess is wrong the path only stops early and more is built.
     */
    public static CommandLine commandLine(Terminal terminal, String... args) {
        if (onlyVersion(args)) {
            // the version needs no subcommand: building them all would cost more than the rest of the run
            return configure(new CommandLine(new VhdstreamCommand(terminal).model()), terminal);
        }
        List<Node> path = new ArrayList<>();
        path.add(Commands.TREE);
        // the groups on the path given an option of their own (-h, -V) before the next name: picocli may show
        // their help, which lists every subcommand
        Set<Node> optioned = new HashSet<>();
        for (String arg : args) {
            Node at = path.get(path.size() - 1);
            if (!at.isGroup()) {
                break;
            }
            if (arg.startsWith("-") && !arg.equals("-") && !arg.equals("--")) {
                if (!arg.equals("--debug")) {
                    optioned.add(at);
                }
                continue;
            }
            Node next = at.child(arg);
            if (next == null || next.type() == HelpCommand.class) {
                break;
            }
            path.add(next);
        }
        return configure(build(terminal, path, optioned, namesAChild(path.get(path.size() - 1), args)), terminal);
    }

    /** Whether any argument is the name of one of {@code node}'s subcommands (so picocli may run or show it). */
    private static boolean namesAChild(Node node, String[] args) {
        for (String a : args) {
            if (node.child(a) != null) {
                return true;
            }
        }
        return false;
    }

    private static boolean onlyVersion(String[] args) {
        for (String a : args) {
            if (!a.equals("-V") && !a.equals("--version")) {
                return false;
            }
        }
        return args.length > 0;
    }

    /**
     * Builds the commands on {@code path}, with listings ({@link #listing}) of the other subcommands of the
     * groups in {@code optioned}, and below the last one all of its subcommands: whole when {@code whole} (an
     * argument names one of them: picocli may run it, or show its help), otherwise as listings, which is all
     * a group's help, its usage errors and its "missing verb" need.
     */
    private static CommandLine build(Terminal terminal, List<Node> path, Set<Node> optioned, boolean whole) {
        CommandLine root = new CommandLine(new VhdstreamCommand(terminal).model());
        CommandLine at = root;
        for (int i = 1; i < path.size(); i++) {
            Node group = path.get(i - 1);
            Node next = path.get(i);
            CommandLine nextCli = null;
            for (Node child : group.children()) { // in the tree's order: help lists them as added
                if (child == next) {
                    nextCli = add(at, next);
                } else if (optioned.contains(group)) {
                    at.addSubcommand(child.name(), listing(child));
                }
            }
            at = nextCli;
        }
        Node last = path.get(path.size() - 1);
        if (whole) {
            addAll(at, last);
        } else {
            for (Node child : last.children()) {
                at.addSubcommand(child.name(), listing(child));
            }
        }
        return root;
    }

    /**
     * What a group's help lists of a subcommand (its name, aliases, header or first description line, whether
     * it is hidden), read from its {@code @Command} alone: building every verb's whole model by reflection
     * cost a group's help more than twice a short command's start-up. A listing has no options and runs
     * nothing; {@link #commandLine(Terminal, String...)} uses one only when no argument names that
     * subcommand, so picocli can neither run it nor show its own help.
     */
    private static CommandLine listing(Node node) {
        if (CodedCommand.class.isAssignableFrom(node.type())) {
            return new CommandLine(coded(node.type()).model()); // no reflection to save
        }
        Command c = node.type().getAnnotation(Command.class);
        CommandSpec spec = CommandSpec.create().name(node.name()).aliases(c.aliases());
        spec.usageMessage().header(c.header()).description(c.description()).hidden(c.hidden());
        return new CommandLine(spec);
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
