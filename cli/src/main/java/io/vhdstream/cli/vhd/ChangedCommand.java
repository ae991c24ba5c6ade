package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code vhdstream vhd changed FILE [--json]}: the byte extents this layer holds (for a differencing image:
 * what changed since its parent), sorted and merged.
 */
public final class ChangedCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> file;
    private Models.Value<Boolean> json;
    private Models.Value<Boolean> lenient;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "changed", "List the extents present in this layer alone (a differencing image: what changed since its"
                + " parent; a fixed image: the whole disk), in bytes, sorted and merged.",
                "Text: one 'offset length' line per extent, then a total.");
        file = Models.positional(spec, "0", "FILE", Path.class, "The image (layer).");
        json = Models.flag(spec, "--json", "Print {\"version\":1,\"file\":...,\"extents\":[{\"offset\":N,\"length\":N},...]}.");
        lenient = Models.flag(spec, "--lenient", "Accept checksum mismatches in the footer or header.");
        return spec;
    }

    @Override
    public Integer call() throws IOException {
        Path file = this.file.value();
        List<Extent> extents;
        try (VhdImage img = VhdImage.open(file, lenient.value() ? OpenOptions.LENIENT_READ : OpenOptions.READ)) {
            extents = img.presentExtents();
        }
        PrintWriter out = out();
        if (json.value()) {
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
