package io.vhdstream.cli;

import io.vhdstream.cli.demo.BrokerCommand;
import io.vhdstream.cli.demo.DemoCommand;
import io.vhdstream.cli.kafka.ProduceCommand;
import io.vhdstream.cli.kafka.RebuildCommand;
import io.vhdstream.cli.kafka.TopologyCommand;
import io.vhdstream.cli.vhd.VhdCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.util.concurrent.Callable;

/**
 * The top of the command tree. Verb groups are subcommands; keep their option fields to plain types
 * (picocli reflects on every verb at start-up, so a field of a Kafka type would load Kafka for
 * {@code vhdstream vhd info} too). Heavy classes belong inside {@code call()}.
 */
@Command(name = "vhdstream", mixinStandardHelpOptions = true, versionProvider = VhdstreamCommand.Version.class,
        description = "Disk snapshot pipelines on Apache Kafka, and the VHD tools they are built on.",
        subcommands = {VhdCommand.class, DemoCommand.class, BrokerCommand.class, TopologyCommand.class,
            ProduceCommand.class, RebuildCommand.class, HelpCommand.class},
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
        throw CliException.usage("USAGE", "missing command: one of vhd, demo, broker, topology, produce, rebuild, help (see 'vhdstream --help')");
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
