package io.vhdstream.cli;

import picocli.CommandLine.Model.CommandSpec;

/**
 * A command whose picocli model is written in code ({@link Models}) instead of read from annotations. picocli
 * reads annotations by reflection, and the JDK makes a proxy class for each annotation type at run time
 * (class-data sharing on JDK 17 cannot archive them): for the commands every short command passes through
 * (the root, {@code vhd}) and the commonest verb ({@code vhd info}) that was about a third of a short command's
 * CPU (docs/decisions.md, docs/benchmarks.md). {@link Cli} builds such a command from {@link #model()}, with
 * the class's public no-argument constructor (the root is given its terminal).
 */
public interface CodedCommand {
    /** This command's model, its options bound to this instance; called once per instance. */
    CommandSpec model();
}
