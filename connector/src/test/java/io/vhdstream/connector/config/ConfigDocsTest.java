package io.vhdstream.connector.config;

import io.vhdstream.connector.sink.VhdReplicaSinkConnector;
import io.vhdstream.connector.sink.VhdReplicaSinkConnectorConfig;
import io.vhdstream.connector.source.VhdSourceConnector;
import io.vhdstream.connector.source.VhdSourceConnectorConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every key is documented, and the README's reference is the one the ConfigDefs generate. */
class ConfigDocsTest {
    @Test
    void everyKeyHasDocumentation() {
        for (Map.Entry<String, ConfigDef> def : Map.of("source", VhdSourceConnectorConfig.TASK_CONFIG_DEF, "sink",
                VhdReplicaSinkConnectorConfig.CONFIG_DEF).entrySet()) {
            for (ConfigDef.ConfigKey k : def.getValue().configKeys().values()) {
                assertTrue(k.documentation != null && k.documentation.trim().length() > 20,
                        def.getKey() + " key '" + k.name + "' has no real documentation");
                assertTrue(k.documentation.trim().endsWith("."), def.getKey() + " key '" + k.name + "': end the doc with a full stop");
            }
        }
        assertSame(VhdSourceConnectorConfig.CONFIG_DEF, new VhdSourceConnector().config());
        assertSame(VhdReplicaSinkConnectorConfig.CONFIG_DEF, new VhdReplicaSinkConnector().config());
    }

    @Test
    void theReadmeReferenceIsUpToDate() throws Exception {
        Path readme = Path.of(System.getProperty("vhdstream.repo.dir", "..")).resolve("connector/README-connector.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        String fresh = ConfigDocs.updated(text);
        if (Boolean.getBoolean("vhdstream.docs.update")) {
            Files.writeString(readme, fresh, StandardCharsets.UTF_8);
            text = fresh;
        }
        assertEquals(fresh, text, "connector/README-connector.md's config reference is stale: run this test with"
                + " -Dvhdstream.docs.update=true (or ConfigDocs.main) to regenerate it");
        for (String key : VhdSourceConnectorConfig.CONFIG_DEF.names()) {
            assertTrue(text.contains("`" + key + "`"), key);
        }
    }
}
