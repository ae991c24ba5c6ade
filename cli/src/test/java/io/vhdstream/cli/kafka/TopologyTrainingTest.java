package io.vhdstream.cli.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher's topology training (the classes of its start-up archive) runs through without a cluster; a
 * failure there would silently leave the topology without its archive.
 */
class TopologyTrainingTest {
    @Test
    void runsWithoutACluster(@TempDir Path dir) throws Exception {
        TopologyTraining.run(dir);
        assertTrue(Files.isDirectory(dir.resolve("layers/training")), "the layer store applied the commands");
        try (var s = Files.list(dir.resolve("layers/training"))) {
            assertFalse(s.filter(f -> f.getFileName().toString().endsWith(".vhd")).toList().isEmpty(), "layers written");
        }
    }
}
