package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.ErrorHandler;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.ProgressBar;
import io.vhdstream.vhd.convert.DiskComparer;
import io.vhdstream.vhd.convert.DiskSource;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code vhdstream vhd compare A B}: exit 0 identical, 1 different, 2 error, as {@code qemu-img compare}. Scripts
 * call it on small images in loops, where start-up is most of the run, so its model is written in code
 * ({@link CodedCommand}).
 */
public final class CompareCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> a;
    private Models.Value<Path> b;
    private Models.Value<Boolean> strict;
    private Models.Value<Boolean> json;
    private ChainOptionsMixin chainOptions;
    private ProgressOptions progressOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "compare", "Compare the virtual disks of two images (VHDs read through their chains, or raw files).",
                "Without --strict, disks of different sizes are identical when the larger one reads as zeros past the"
                        + " smaller's end (as qemu-img compare).");
        Models.exitCodes(spec, "%nExit codes:%n", "0:The disks are identical.",
                "1:The disks differ (the first differing offset is printed).", "2:An image could not be read, or a usage error.");
        a = Models.positional(spec, "0", "A", Path.class, "The first image.");
        b = Models.positional(spec, "1", "B", Path.class, "The second image.");
        strict = Models.flag(spec, new String[] {"-s", "--strict"}, "Disks of different sizes differ.");
        json = Models.flag(spec, "--json", "Print {\"version\":1,\"first\",\"second\",\"identical\",\"offset\","
                + "\"firstSize\",\"secondSize\",\"message\"}.");
        chainOptions = ChainOptionsMixin.declareOn(spec);
        progressOptions = ProgressOptions.declareOn(spec);
        return spec;
    }

    @Override
    public Integer call() {
        Path a = this.a.value();
        Path b = this.b.value();
        boolean json = this.json.value();
        DiskComparer.Result r;
        try (DiskSource x = DiskInputs.open(a, false, chainOptions);
             DiskSource y = DiskInputs.open(b, false, chainOptions);
             ProgressBar bar = progress(progressOptions, "compare")) {
            r = DiskComparer.compare(x, y, strict.value(), bar);
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
