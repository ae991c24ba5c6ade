package io.vhdstream.cli.vhd;

import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.Rebaser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;

/** {@code vhdstream vhd rebase CHILD NEW_PARENT [-u]}, as {@code qemu-img rebase} and {@code vhd-util modify -p}. */
@Command(name = "rebase", mixinStandardHelpOptions = true,
        description = {"Make differencing image CHILD name NEW_PARENT as its parent (its unique id, timestamp, file name,"
                + " and W2ru/W2ku locators).",
            "By default CHILD reads the same afterwards: every sector it does not hold that reads differently through"
                + " NEW_PARENT than through its old parent is copied into it first (the old parent must be readable).",
            "With -u only the recorded link changes: for a parent that was moved or copied, or to record its current"
                + " timestamp (the fix for PARENT_TIMESTAMP_MISMATCH: 'vhdstream vhd rebase -u child.vhd parent.vhd')."})
public final class RebaseCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "CHILD", description = "The differencing image to change.")
    Path child;

    @Parameters(index = "1", paramLabel = "NEW_PARENT", description = "The image CHILD is to name as its parent.")
    Path newParent;

    @Option(names = {"-u", "--unsafe"}, description = "Change only the link; copy nothing (CHILD's content may change).")
    boolean unsafe;

    @Mixin
    ChainOptionsMixin chainOptions;

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws IOException {
        ChainOptions oldChain = chainOptions.forImage(child);
        ChainOptions newChain = chainOptions.forImage(newParent);
        long copied;
        try (ProgressBar bar = progress(progressOptions, "rebase")) {
            copied = Rebaser.rebase(child, newParent, unsafe, oldChain, newChain, bar);
        }
        summary(progressOptions, "rebased " + child + " onto " + newParent
                + (unsafe ? " (link only)" : ", " + Sizes.withHuman(copied) + " copied to keep its content"));
        Guards.noteOutsideRoot(err(), child, newParent);
        return 0;
    }
}
