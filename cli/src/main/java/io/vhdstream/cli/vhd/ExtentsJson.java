package io.vhdstream.cli.vhd;

import io.vhdstream.cli.json.JsonOutput;
import io.vhdstream.vhd.extent.Extent;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** {@code changed --json}: {@code {"version":1,"file":...,"extents":[{"offset":N,"length":N}]}}. */
final class ExtentsJson {
    private ExtentsJson() {
    }

    record Document(String file, List<ExtentJson> extents) {
    }

    record ExtentJson(long offset, long length) {
    }

    static void print(PrintWriter out, Path file, List<Extent> extents) {
        JsonOutput.print(out, new Document(file.toAbsolutePath().normalize().toString(),
                extents.stream().map(e -> new ExtentJson(e.offset(), e.length())).toList()));
    }
}
