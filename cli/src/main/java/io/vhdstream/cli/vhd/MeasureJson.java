package io.vhdstream.cli.vhd;

import io.vhdstream.cli.json.JsonOutput;
import io.vhdstream.vhd.convert.Importer;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code measure --json}: qemu-img measure's keys ("fully-allocated" is no Java name, hence a map). */
final class MeasureJson {
    private MeasureJson() {
    }

    static void print(PrintWriter out, Importer.Measurement m) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("required", m.required());
        doc.put("fully-allocated", m.fullyAllocated());
        JsonOutput.print(out, doc);
    }
}
