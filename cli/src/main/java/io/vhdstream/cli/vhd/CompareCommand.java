package io.vhdstream.cli.vhd;

import io.vhdstream.cli.ErrorHandler;
import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.vhd.convert.DiskComparer;
import io.vhdstream.vhd.convert.DiskSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;

/** {@code vhdstream vhd compare A B}: exit 0 identical, 1 different, 2 error, as {@code qemu-img compare}. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare the virtual disks of two images (VHDs read through their chains, or raw files).",
            "Without --strict, disks of different sizes are identical when the larger one reads as zeros past the"
                + " smaller's end (as qemu-img compare)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:The disks are identical.", "1:The disks differ (the first differing offset is printed).",
            "2:An image could not be read, or a usage error."})
public final class CompareCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "A", description = "The first image.")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "The second image.")
    Path b;

    @Option(names = {"-s", "--strict"}, description = "Disks of different sizes differ.")
    boolean strict;

    @Option(names = "--json", description = "Print {\"version\":1,\"first\",\"second\",\"identical\",\"offset\","
            + "\"firstSize\",\"secondSize\",\"message\"}.")
    boolean json;

    @Mixin
    ChainOptionsMixin chainOptions;

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() {
        DiskComparer.Result r;
        try (DiskSource x = DiskInputs.open(a, false, chainOptions);
             DiskSource y = DiskInputs.open(b, false, chainOptions);
             ProgressBar bar = progress(progressOptions, "compare")) {
            r = DiskComparer.compare(x, y, strict, bar);
        } catch (IOException | RuntimeException e) {
            ErrorHandler.report(spec.commandLine(), e, json, debug());
            return 2; // 1 means "different"
        }
        if (json) {
            CompareJson.print(out(), a, b, r);
        } else if (r.identical()) {
            out().println("Images are identical.");
        } else {
            out().println("Content mismatch at offset " + r.firstDifference() + "! (" + r.reason() + ")");
        }
        return r.identical() ? 0 : 1;
    }
}
