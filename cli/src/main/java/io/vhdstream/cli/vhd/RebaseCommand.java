package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.Rebaser;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code vhdstream vhd rebase CHILD NEW_PARENT [-u]}, as {@code qemu-img rebase} and {@code vhd-util modify -p}.
 * A link-only rebase is all start-up, so its model is written in code ({@link CodedCommand}).
 */
public final class RebaseCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> child;
    private Models.Value<Path> newParent;
    private Models.Value<Boolean> unsafe;
    private ChainOptionsMixin chainOptions;
    private ProgressOptions progressOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "rebase", "Make differencing image CHILD name NEW_PARENT as its parent (its unique id, timestamp, file name,"
                + " and W2ru/W2ku locators).",
                "By default CHILD reads the same afterwards: every sector it does not hold that reads differently through"
                        + " NEW_PARENT than through its old parent is copied into it first (the old parent must be readable).",
                "With -u only the recorded link changes: for a parent that was moved or copied, or to record its current"
                        + " timestamp (the fix for PARENT_TIMESTAMP_MISMATCH: 'vhdstream vhd rebase -u child.vhd parent.vhd').");
        child = Models.positional(spec, "0", "CHILD", Path.class, "The differencing image to change.");
        newParent = Models.positional(spec, "1", "NEW_PARENT", Path.class, "The image CHILD is to name as its parent.");
        unsafe = Models.flag(spec, new String[] {"-u", "--unsafe"}, "Change only the link; copy nothing (CHILD's content may change).");
        chainOptions = ChainOptionsMixin.declareOn(spec);
        progressOptions = ProgressOptions.declareOn(spec);
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        Path child = this.child.value();
        Path newParent = this.newParent.value();
        boolean unsafe = this.unsafe.value();
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
