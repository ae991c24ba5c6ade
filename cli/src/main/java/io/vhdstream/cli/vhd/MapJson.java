package io.vhdstream.cli.vhd;

import io.vhdstream.cli.json.JsonOutput;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** {@code map --json}: qemu-img map's extent fields inside the versioned document. */
final class MapJson {
    private MapJson() {
    }

    record Document(String file, List<String> layers, List<Extent> extents) {
    }

    record Extent(long start, long length, int depth, boolean present, boolean zero, boolean data, Long offset) {
    }

    static void print(PrintWriter out, Path file, List<Path> layers, List<MapCommand.Run> runs) {
        List<Extent> extents = runs.stream().map(r -> r.offset() >= 0
                ? new Extent(r.start(), r.length(), r.depth(), true, false, true, r.offset())
                : new Extent(r.start(), r.length(), r.depth(), true, true, false, null)).toList();
        JsonOutput.print(out, new Document(file.toAbsolutePath().normalize().toString(),
                layers.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList(), extents));
    }
}
