package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.ProgressOptions;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.Resizer;
import io.vhdstream.vhd.image.VhdImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code vhdstream vhd resize FILE [+]SIZE [--shrink]}, as {@code qemu-img resize}. */
@Command(name = "resize", mixinStandardHelpOptions = true,
        description = {"Change the virtual size of an image to SIZE (or by +SIZE / -SIZE). The new part reads as zeros.",
            "Shrinking needs --shrink (what lies past the new end is lost). An image other images use as their parent"
                + " is refused without --force."})
public final class ResizeCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The image to resize in place.")
    Path file;

    @Parameters(index = "1", paramLabel = "[+|-]SIZE", description = "The new size, or a change of size; K, M, G, T.")
    String size;

    @Option(names = "--shrink", description = "Allow a smaller size.")
    boolean shrink;

    @Option(names = {"-f", "--force"}, description = "Resize even an image that other images use as their parent.")
    boolean force;

    @Option(names = "--allow-root", paramLabel = "DIR", description = "Also look for children of FILE under DIR.")
    List<Path> allowRoots = new ArrayList<>();

    @Mixin
    ProgressOptions progressOptions;

    @Override
    public Integer call() throws IOException {
        ChainOptionsMixin.requireDirectories(allowRoots);
        long old;
        try (VhdImage img = VhdImage.open(file, OpenOptions.READ)) {
            old = img.virtualSize();
        }
        long target = target(old);
        Guards.requireNoChildren(file, allowRoots, force);
        Resizer.resize(file, target, shrink);
        summary(progressOptions, "resized " + file + " from " + Sizes.withHuman(old) + " to " + Sizes.withHuman(target));
        return 0;
    }

    private long target(long old) {
        String t = size.trim();
        int sign = t.startsWith("+") ? 1 : t.startsWith("-") ? -1 : 0;
        long n;
        try {
            n = Sizes.parse(sign == 0 ? t : t.substring(1));
        } catch (IllegalArgumentException e) {
            throw CliException.usage(ProblemCode.INVALID_ARGUMENT.name(), e.getMessage());
        }
        long v = sign == 0 ? n : old + sign * n;
        if (v <= 0 || v % 512 != 0) {
            throw CliException.usage(ProblemCode.UNALIGNED.name(), "the new size " + v + " is not a positive multiple of 512");
        }
        return v;
    }
}
