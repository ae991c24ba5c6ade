package io.vhdstream.cli.vhd;

import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.io.ImageFile;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;

/** {@code vhdstream vhd snapshot PARENT CHILD}. */
public final class SnapshotCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> parent;
    private Models.Value<Path> child;
    private ProgressOptions progressOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "snapshot", "Create CHILD, a new differencing image whose parent is PARENT.",
                "PARENT stays as it is and must no longer be written: CHILD takes all later writes. CHILD records PARENT"
                        + " by relative (W2ru) and absolute (W2ku) path and by its unique id. PARENT is locked while CHILD is"
                        + " made: a PARENT another process is writing is refused (IMAGE_LOCKED).");
        parent = Models.positional(spec, "0", "PARENT", Path.class, "The existing image that becomes the parent.");
        child = Models.positional(spec, "1", "CHILD", Path.class, "The differencing image to create (must not exist).");
        progressOptions = ProgressOptions.declareOn(spec);
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        Path parent = this.parent.value();
        Path child = this.child.value();
        // A shared lock: no writer may hold the parent while its id and timestamp are copied into the child.
        try (ImageFile lock = ImageFile.openShared(parent)) {
            VhdCreator.differencing(child, parent);
        }
        summary(progressOptions, "created differencing image " + child + " (parent " + parent + ")");
        Guards.noteOutsideRoot(err(), child, parent);
        return 0;
    }
}
