package io.vhdstream.cli;

import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;

import java.util.concurrent.Callable;

/**
 * The top of the command tree, built on every run, so its model is written in code ({@link CodedCommand}).
 * Its subcommands are registered in {@link Commands}, not here. Keep the options of commands to plain types
 * (picocli reflects on the fields of every annotated command it builds, so a field of a Kafka type would load
 * Kafka); heavy classes belong inside {@code call()}.
 */
public final class VhdstreamCommand implements Callable<Integer>, CodedCommand {
    private final Terminal terminal;

    public VhdstreamCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public CommandSpec model() {
        CommandSpec spec = Models.command(this, "vhdstream",
                "Disk snapshot pipelines on Apache Kafka, and the VHD tools they are built on.");
        spec.versionProvider(new Version());
        Models.exitCodes(spec, "%nExit codes:%n", ExitCodes.HELP_OK, ExitCodes.HELP_FAILURE, ExitCodes.HELP_USAGE);
        Models.flag(spec, new String[] {"--debug"}, ScopeType.INHERIT, "On an error, also print the stack trace (to stderr).");
        return spec;
    }

    public Terminal terminal() {
        return terminal;
    }

    @Override
    public Integer call() {
        throw CliException.usage("USAGE", "missing command: one of " + String.join(", ", Commands.TREE.childNames())
                + " (see 'vhdstream --help')");
    }

    /** The version from the jar manifest; "development build" when run from classes. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = VhdstreamCommand.class.getPackage().getImplementationVersion();
            return new String[] {"vhdstream " + (v != null ? v : "development build")};
        }
    }
}
