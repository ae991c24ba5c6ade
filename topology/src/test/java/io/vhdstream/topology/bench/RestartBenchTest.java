package io.vhdstream.topology.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;

/** Runs {@link RestartBench} when {@code -Dvhdstream.bench=restart} (topology/restart-bench.sh); skipped otherwise. */
@EnabledIfSystemProperty(named = "vhdstream.bench", matches = "restart")
class RestartBenchTest {
    @Test
    void bench() throws Exception {
        Path repo = Path.of(System.getProperty("vhdstream.repo.dir", "..")).toAbsolutePath().normalize();
        Path work = Path.of(System.getProperty("vhdstream.bench.work", "target/restart-bench")).toAbsolutePath();
        Files.createDirectories(work);
        RestartBench bench = new RestartBench(repo, work, System.getProperty("java.class.path"),
                System.getProperty("vhdstream.bench.tools"), Long.getLong("vhdstream.bench.mib", 1024), BenchProps.fromSystemProperty(),
                BenchProps.fromSystemProperty("vhdstream.bench.broker"));
        var rounds = bench.run(Integer.getInteger("vhdstream.bench.rounds", 3), s -> System.out.println("BENCH " + s));
        System.out.println("BENCH " + RestartBench.summary(rounds).replace("\n", "\nBENCH "));
    }
}
