package io.vhdstream.cli.vhd;

import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code vhdstream vhd changed FILE [--json]}: the byte extents this layer holds (for a differencing image:
 * what changed since its parent), sorted and merged.
 */
@Command(name = "changed", mixinStandardHelpOptions = true,
        description = {"List the extents present in this layer alone (a differencing image: what changed since its"
                + " parent; a fixed image: the whole disk), in bytes, sorted and merged.",
            "Text: one 'offset length' line per extent, then a total."})
public final class ChangedCommand extends VerbCommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "The image (layer).")
    Path file;

    @Option(names = "--json", description = "Print {\"version\":1,\"file\":...,\"extents\":[{\"offset\":N,\"length\":N},...]}.")
    boolean json;

    @Option(names = "--lenient", description = "Accept checksum mismatches in the footer or header.")
    boolean lenient;

    @Override
    public Integer call() throws IOException {
        List<Extent> extents;
        try (VhdImage img = VhdImage.open(file, lenient ? OpenOptions.LENIENT_READ : OpenOptions.READ)) {
            extents = img.presentExtents();
        }
        PrintWriter out = out();
        if (json) {
            ExtentsJson.print(out, file, extents);
        } else {
            long total = 0;
            for (Extent e : extents) {
                out.println(e.offset() + " " + e.length());
                total += e.length();
            }
            out.println("total " + Sizes.withHuman(total) + " in " + extents.size() + (extents.size() == 1 ? " extent" : " extents"));
        }
        return 0;
    }
}
