package io.vhdstream.cli.ops;

import io.vhdstream.cli.CliException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code vhdstream disk}: one command to a disk by hand, or what the pipeline knows of its disks. */
@Command(name = "disk", mixinStandardHelpOptions = true,
        description = {"Send one CreateDisk, Snapshot or DeleteDisk command; list disks and show a disk's snapshots",
            "(from the layers topic, or from a layer directory with --layers)."})
public final class DiskGroupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw CliException.usage("USAGE", "missing verb: one of " + String.join(", ", spec.subcommands().keySet())
                + " (see 'vhdstream disk --help')");
    }
}
