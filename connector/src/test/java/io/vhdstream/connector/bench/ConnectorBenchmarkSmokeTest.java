package io.vhdstream.connector.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps the benchmark runnable: a tiny layer, one round. Its numbers mean nothing at this size. */
class ConnectorBenchmarkSmokeTest {
    @Test
    void runs() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<ConnectorBenchmark.Result> results = new ConnectorBenchmark(8, 0, 1, List.of("avro"),
                new PrintStream(buf, true, StandardCharsets.UTF_8)).run();
        assertEquals(1, results.size());
        ConnectorBenchmark.Result r = results.get(0);
        assertEquals(16, r.connector().records(), "8 MiB in 512 KiB records");
        assertTrue(r.connector().mibPerSecond() > 0 && r.producer().mibPerSecond() > 0);
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("ratio"));
    }
}
