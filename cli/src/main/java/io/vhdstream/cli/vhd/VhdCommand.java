package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code vhdstream vhd}: the VHD tools, one subcommand per verb (registered in {@link io.vhdstream.cli.Commands}). */
@Command(name = "vhd", mixinStandardHelpOptions = true,
        description = "Create, inspect, check, read, write, convert and merge VHD images (fixed, dynamic, differencing).")
public final class VhdCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw CliException.usage("USAGE", "missing verb: one of " + String.join(", ", spec.subcommands().keySet())
                + " (see 'vhdstream vhd --help')");
    }
}
