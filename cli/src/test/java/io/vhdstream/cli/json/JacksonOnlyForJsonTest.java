package io.vhdstream.cli.json;

import io.vhdstream.cli.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static io.vhdstream.cli.CliRunner.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plain-text runs never load Jackson (start-up time); --json runs do. Checked in a real JVM's class loading. */
class JacksonOnlyForJsonTest {
    @TempDir
    Path dir;

    private String classesLoaded(String... args) throws Exception {
        Process p = ChildProcess.vhdstream(dir, List.of("-verbose:class"), args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void onlyJsonRunsLoadJackson() throws Exception {
        String f = fixture("vhd-lib/grandchild.vhd").toString();
        assertFalse(classesLoaded("vhd", "info", f).contains("com.fasterxml.jackson"));
        assertFalse(classesLoaded("vhd", "check", f).contains("com.fasterxml.jackson"));
        assertTrue(classesLoaded("vhd", "check", "--json", f).contains("com.fasterxml.jackson.databind"));
    }
}
