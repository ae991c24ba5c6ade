package io.vhdstream.cli.vhd;

import io.vhdstream.cli.json.JsonOutput;
import io.vhdstream.vhd.convert.DiskComparer;

import java.io.PrintWriter;
import java.nio.file.Path;

/** {@code compare --json}. */
final class CompareJson {
    private CompareJson() {
    }

    record Document(String first, String second, boolean identical, Long offset, long firstSize, long secondSize,
                    String message) {
    }

    static void print(PrintWriter out, Path a, Path b, DiskComparer.Result r) {
        JsonOutput.print(out, new Document(abs(a), abs(b), r.identical(), r.identical() ? null : r.firstDifference(),
                r.sizeA(), r.sizeB(), r.reason()));
    }

    private static String abs(Path p) {
        return p.toAbsolutePath().normalize().toString();
    }
}
