package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.coalesce.Coalescer;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code vhdstream vhd coalesce CHILD}: writes the sectors CHILD holds into its parent. A small child merges in
 * less time than the JVM takes to start, so its model is written in code ({@link CodedCommand}).
 */
public final class CoalesceCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> child;
    private ChainOptionsMixin chainOptions;
    private ProgressOptions progressOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "coalesce", "Merge a differencing image into its parent: exactly the sectors CHILD holds are written into"
                + " the parent.", "CHILD is left in place and reads the same afterwards; other children of the parent see the change.");
        child = Models.positional(spec, "0", "CHILD", Path.class, "The differencing image to merge.");
        chainOptions = ChainOptionsMixin.declareOn(spec);
        progressOptions = ProgressOptions.declareOn(spec);
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        Path child = this.child.value();
        ChainOptions options = chainOptions.forImage(child);
        Path parent = null;
        try (VhdChain chain = VhdChain.open(child, options, false)) {
            if (chain.layers().size() > 1) {
                parent = chain.layers().get(1).path();
            }
        }
        long merged;
        try (ProgressBar bar = progress(progressOptions, "coalesce")) {
            merged = Coalescer.coalesce(child, options, bar);
        }
        summary(progressOptions, "merged " + Sizes.withHuman(merged) + " from " + child + " into " + parent);
        return 0;
    }
}
