package io.vhdstream.topology.bench;

import io.vhdstream.topology.support.SharedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;

/** Runs {@link RecoveryBench} when {@code -Dvhdstream.bench=recovery} (topology/recovery-bench.sh); skipped otherwise. */
@EnabledIfSystemProperty(named = "vhdstream.bench", matches = "recovery")
class RecoveryBenchTest {
    @Test
    void bench() throws Exception {
        Path work = Path.of(System.getProperty("vhdstream.bench.work", "target/recovery-bench")).toAbsolutePath();
        Files.createDirectories(work);
        RecoveryBench b = new RecoveryBench(SharedBroker.get(), work, Long.getLong("vhdstream.bench.disk.mib", 256),
                Long.getLong("vhdstream.bench.window.mib", 64));
        double x1 = b.round("rb-x1", 1, true, s -> System.out.println("BENCH " + s));
        double x10 = b.round("rb-x10", 10, true, s -> System.out.println("BENCH " + s));
        double old = b.round("rb-x10-replay", 10, false, s -> System.out.println("BENCH " + s));
        System.out.printf("BENCH recovery of a lost layer directory, 10x history vs 1x: %.2f s / %.2f s = ratio %.2f"
                + " (bound 1.5); without the checkpoint (whole history replayed): %.2f s, ratio %.2f%n", x10, x1, x10 / x1,
                old, old / x1);
    }
}
