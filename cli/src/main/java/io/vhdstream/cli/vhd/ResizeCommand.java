package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.Resizer;
import io.vhdstream.vhd.image.VhdImage;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code vhdstream vhd resize FILE [+]SIZE [--shrink]}, as {@code qemu-img resize}. A dynamic image's resize
 * rewrites a block table and two footers, which takes less than the JVM's start, so its model is written in
 * code ({@link CodedCommand}).
 */
public final class ResizeCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> file;
    private Models.Value<String> size;
    private Models.Value<Boolean> shrink;
    private Models.Value<Boolean> force;
    private Models.Value<List<Path>> allowRoots;
    private ProgressOptions progressOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "resize",
                "Change the virtual size of an image to SIZE (or by +SIZE / -SIZE). The new part reads as zeros.",
                "Shrinking needs --shrink (what lies past the new end is lost). An image other images use as their parent"
                        + " is refused without --force.");
        file = Models.positional(spec, "0", "FILE", Path.class, "The image to resize in place.");
        size = Models.positional(spec, "1", "[+|-]SIZE", String.class, "The new size, or a change of size; K, M, G, T.");
        shrink = Models.flag(spec, "--shrink", "Allow a smaller size.");
        force = Models.flag(spec, new String[] {"-f", "--force"}, "Resize even an image that other images use as their parent.");
        allowRoots = Models.repeatable(spec, "--allow-root", "DIR", Path.class, "Also look for children of FILE under DIR.");
        progressOptions = ProgressOptions.declareOn(spec);
        // "-1M" is a size, as in qemu-img resize: an argument that is no option of this verb is a positional one.
        spec.parser().unmatchedOptionsArePositionalParams(true);
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        Path file = this.file.value();
        List<Path> allowRoots = this.allowRoots.value();
        ChainOptionsMixin.requireDirectories(allowRoots);
        long old;
        try (VhdImage img = VhdImage.open(file, OpenOptions.READ)) {
            old = img.virtualSize();
        }
        long target = target(old);
        Guards.requireNoChildren(file, allowRoots, force.value());
        Resizer.resize(file, target, shrink.value());
        summary(progressOptions, "resized " + file + " from " + Sizes.withHuman(old) + " to " + Sizes.withHuman(target));
        return 0;
    }

    private long target(long old) {
        String t = size.value().trim();
        int sign = t.startsWith("+") ? 1 : t.startsWith("-") ? -1 : 0;
        long n;
        try {
            n = Sizes.parse(sign == 0 ? t : t.substring(1));
        } catch (IllegalArgumentException e) {
            throw CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), "'" + t + "' is not a size or a change of size:"
                    + " give bytes, or a whole number with K, M, G or T (binary: 1K = 1024), e.g. 10G, +1G, -512M");
        }
        long v = sign == 0 ? n : old + sign * n;
        if (v <= 0 || v % 512 != 0) {
            throw CliException.usage(ProblemCode.UNALIGNED.name(), "the new size " + v + " is not a positive multiple of 512");
        }
        return v;
    }
}
