package io.vhdstream.embedded.docs;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/configuration.md is exactly what the ConfigDefs say today. */
class ConfigReferenceTest {
    @Test
    void committedReferenceIsCurrent() throws Exception {
        Path file = Path.of(System.getProperty("vhdstream.repo.dir", "..")).resolve("docs/configuration.md");
        String fresh = ConfigReference.markdown();
        if (Boolean.getBoolean("vhdstream.docs.update")) {
            Files.writeString(file, fresh, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(file), file + " is missing: run with -Dvhdstream.docs.update=true");
        assertEquals(fresh, Files.readString(file, StandardCharsets.UTF_8),
                "docs/configuration.md is stale: rerun this test with -Dvhdstream.docs.update=true");
        assertTrue(fresh.contains("`vhdstream.layers.dir`") && fresh.contains("`roots`") && fresh.contains("`replica.dir`"),
                "the reference names the topology's and both connectors' keys");
    }
}
