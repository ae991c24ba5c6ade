package io.vhdstream.cli.vhd;

import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.coalesce.Coalescer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;

/** {@code vhdstream vhd coalesce CHILD}: writes the sectors CHILD holds into its parent. */
@Command(name = "coalesce", mixinStandardHelpOptions = true,
        description = {"Merge a differencing image into its parent: exactly the sectors CHILD holds are written into"
                + " the parent.",
            "CHILD is left in place and reads the same afterwards; other children of the parent see the change."})
public final class CoalesceCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "CHILD", description = "The differencing image to merge.")
    Path child;

    @Mixin
    ChainOptionsMixin chainOptions;

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws IOException {
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
