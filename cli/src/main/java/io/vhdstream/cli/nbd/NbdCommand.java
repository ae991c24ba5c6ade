package io.vhdstream.cli.nbd;

import io.vhdstream.cli.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code vhdstream nbd}: the NBD server and its admin verbs (registered in {@link io.vhdstream.cli.Commands}). */
@Command(name = "nbd", mixinStandardHelpOptions = true,
        description = "Serve disks over NBD: read-write exports journal every write into Kafka; DISK@SNAPSHOT exports any sealed snapshot read-only.")
public final class NbdCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw CliException.usage("USAGE", "missing verb: one of " + String.join(", ", spec.subcommands().keySet())
                + " (see 'vhdstream nbd --help')");
    }
}
