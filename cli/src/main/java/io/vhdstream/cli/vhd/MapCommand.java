package io.vhdstream.cli.vhd;

import io.vhdstream.cli.CodedCommand;
import io.vhdstream.cli.Models;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.util.Text;
import io.vhdstream.vhd.chain.VhdChain;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vhdstream vhd map FILE [--json]}: where each extent of the disk comes from, as {@code qemu-img map}. A short
 * command scripts run often, so its model is written in code ({@link CodedCommand}).
 */
public final class MapCommand extends VerbCommand implements CodedCommand {
    private Models.Value<Path> file;
    private Models.Value<Boolean> json;
    private ChainOptionsMixin chainOptions;

    @Override
    public CommandSpec model() {
        spec = Models.command(this, "map", "Show where every extent of the virtual disk is read from: the layer of the chain (depth 0 is"
                        + " FILE itself) and the offset in that layer's file, or nowhere (zeros).",
                "Text: 'start length depth offset file' per extent held by a layer, 'start length - - zeros' otherwise.",
                "JSON (like qemu-img map --output=json, inside a versioned object): {\"version\":1,\"file\",\"layers\":[...],"
                        + "\"extents\":[{\"start\",\"length\",\"depth\",\"present\",\"zero\",\"data\",\"offset\"}]}; an extent"
                        + " no layer holds is the bottom layer's zeros, as qemu-img map reports a VHD's unallocated blocks:"
                        + " depth = the number of layers - 1, present true, zero true, data false, no offset.");
        file = Models.positional(spec, "0", "FILE", Path.class, "The (top) image.");
        json = Models.flag(spec, "--json", "Print one JSON object (see above).");
        chainOptions = ChainOptionsMixin.declareOn(spec);
        return spec;
    }

    /** One merged run: data at {@code offset} of layer {@code depth}, or zeros (the bottom layer's, offset -1). */
    record Run(long start, long length, int depth, long offset) {
    }

    @Override
    public Integer call() throws IOException {
        Path file = this.file.value();
        List<Path> layers = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        try (VhdChain chain = VhdChain.open(file, chainOptions.forImage(file), false)) {
            chain.layers().forEach(l -> layers.add(l.path()));
            int zerosDepth = layers.size() - 1;
            chain.resolve(0, chain.virtualSize(), (o, n, layer, fileOff) -> {
                int depth = layer < 0 ? zerosDepth : layer;
                Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
                if (last != null && last.depth() == depth && last.start() + last.length() == o
                        && (layer < 0 ? last.offset() < 0 : last.offset() >= 0 && last.offset() + last.length() == fileOff)) {
                    runs.set(runs.size() - 1, new Run(last.start(), last.length() + n, depth, last.offset()));
                } else {
                    runs.add(new Run(o, n, depth, layer < 0 ? -1 : fileOff));
                }
            });
        }
        if (json.value()) {
            MapJson.print(out(), file, layers, runs);
        } else {
            PrintWriter out = out();
            for (Run r : runs) {
                out.println(r.offset() >= 0
                        ? Text.printable(r.start() + " " + r.length() + " " + r.depth() + " " + r.offset() + " "
                                + layers.get(r.depth()).toAbsolutePath())
                        : r.start() + " " + r.length() + " - - zeros");
            }
        }
        return 0;
    }
}
