package io.vhdstream.cli.vhd;

import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.io.ImageFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;

/** {@code vhdstream vhd snapshot PARENT CHILD}. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = {"Create CHILD, a new differencing image whose parent is PARENT.",
            "PARENT stays as it is and must no longer be written: CHILD takes all later writes. CHILD records PARENT"
                + " by relative (W2ru) and absolute (W2ku) path and by its unique id. PARENT is locked while CHILD is"
                + " made: a PARENT another process is writing is refused (IMAGE_LOCKED)."})
public final class SnapshotCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "PARENT", description = "The existing image that becomes the parent.")
    Path parent;

    @Parameters(index = "1", paramLabel = "CHILD", description = "The differencing image to create (must not exist).")
    Path child;

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws IOException {
        // A shared lock: no writer may hold the parent while its id and timestamp are copied into the child.
        try (ImageFile lock = ImageFile.openShared(parent)) {
            VhdCreator.differencing(child, parent);
        }
        summary(progressOptions, "created differencing image " + child + " (parent " + parent + ")");
        Guards.noteOutsideRoot(err(), child, parent);
        return 0;
    }
}
