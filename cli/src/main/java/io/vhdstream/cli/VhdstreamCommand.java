package io.vhdstream.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.util.concurrent.Callable;

/**
 * The top of the command tree. Its subcommands are registered in {@link Commands}, not here. Keep the
 * options of commands to plain types (picocli reflects on the fields of every command it builds, so a field
 * of a Kafka type would load Kafka); heavy classes belong inside {@code call()}.
 */
@Command(name = "vhdstream", mixinStandardHelpOptions = true, versionProvider = VhdstreamCommand.Version.class,
        description = "Disk snapshot pipelines on Apache Kafka, and the VHD tools they are built on.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_FAILURE, ExitCodes.HELP_USAGE})
public final class VhdstreamCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "On an error, also print the stack trace (to stderr).")
    boolean debug;

    public VhdstreamCommand(Terminal terminal) {
        this.terminal = terminal;
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
