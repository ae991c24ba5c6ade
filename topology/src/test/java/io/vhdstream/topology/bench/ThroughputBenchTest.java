package io.vhdstream.topology.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** Runs {@link ThroughputBench} when {@code -Dvhdstream.bench=true} (topology/bench.sh); skipped otherwise. */
@EnabledIfSystemProperty(named = "vhdstream.bench", matches = "true")
class ThroughputBenchTest {
    @TempDir
    Path work;

    @Test
    void bench() throws Exception {
        long mib = Long.getLong("vhdstream.bench.mib", 2048);
        java.util.Properties extra = new java.util.Properties();
        extra.putAll(BenchProps.fromSystemProperty());
        ThroughputBench.Result r = ThroughputBench.run(mib, Integer.getInteger("vhdstream.bench.warmup", 2),
                Integer.getInteger("vhdstream.bench.rounds", 6), work, extra);
        System.out.println("BENCH " + r.toString().replace("\n", "\nBENCH "));
    }
}
