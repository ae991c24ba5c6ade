package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

/**
 * {@code vhdstream vhd}: the VHD tools, one subcommand per verb (registered in {@link io.vhdstream.cli.Commands}).
 * Built for every {@code vhd} verb, so its model is written in code ({@link CodedCommand}).
 */
public final class VhdCommand implements Callable<Integer>, CodedCommand {
    private CommandSpec spec;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "vhd",
                "Create, inspect, check, read, write, convert and merge VHD images (fixed, dynamic, differencing).");
        return spec;
    }

    @Override
    public Integer call() {
        throw CliException.usage("USAGE", "missing verb: one of " + String.join(", ", spec.subcommands().keySet())
                + " (see 'vhdstream vhd --help')");
    }
}
