package io.vhdstream.topology.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings a benchmark run puts over the defaults, {@code k=v,k=v}: the topology's from {@code -Dvhdstream.bench.props},
 * the stock broker's from {@code -Dvhdstream.bench.broker} (experiments).
 */
final class BenchProps {
    private BenchProps() {
    }

    static Map<String, String> fromSystemProperty() {
        return fromSystemProperty("vhdstream.bench.props");
    }

    static Map<String, String> fromSystemProperty(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : System.getProperty(name, "").split(",")) {
            if (kv.contains("=")) {
                out.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return out;
    }
}
