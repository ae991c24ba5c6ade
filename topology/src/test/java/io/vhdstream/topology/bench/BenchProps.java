package io.vhdstream.topology.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Topology settings a benchmark run puts over the defaults: {@code -Dvhdstream.bench.props=k=v,k=v} (experiments). */
final class BenchProps {
    private BenchProps() {
    }

    static Map<String, String> fromSystemProperty() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : System.getProperty("vhdstream.bench.props", "").split(",")) {
            if (kv.contains("=")) {
                out.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return out;
    }
}
