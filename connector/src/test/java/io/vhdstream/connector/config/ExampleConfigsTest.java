package io.vhdstream.connector.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vhdstream.connector.sink.VhdReplicaSinkConnector;
import io.vhdstream.connector.source.VhdSourceConnector;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Connector;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The files in config/ spell every key right and hold valid values (file-system checks aside). */
class ExampleConfigsTest {
    private static final Path CONFIG = Path.of(System.getProperty("vhdstream.repo.dir", "..")).resolve("config");
    /** Connect's own connector keys the examples use. */
    private static final Set<String> FRAMEWORK = Set.of("name", "connector.class", "tasks.max", "topics", "key.converter",
            "value.converter", "exactly.once.support", "transaction.boundary", "errors.tolerance", "errors.log.enable",
            "errors.deadletterqueue.topic.name", "errors.deadletterqueue.context.headers.enable");

    @Test
    void connectorFiles() throws Exception {
        check(props("vhd-source-connector.properties"), new VhdSourceConnector());
        check(json("vhd-source-connector.json"), new VhdSourceConnector());
        check(props("vhd-replica-sink-connector.properties"), new VhdReplicaSinkConnector());
        check(json("vhd-replica-sink-connector.json"), new VhdReplicaSinkConnector());
        // docs/deployment.md validates the file as it is (PUT .../config/validate): Connect requires "name" there.
        assertEquals("vhd-source", json("vhd-source-connector.json").get("name"));
        assertEquals("vhd-replica", json("vhd-replica-sink-connector.json").get("name"));
    }

    @Test
    void workerFiles() throws Exception {
        // Parsing checks every value; values() lists the keys the worker defines.
        Map<String, String> s = props("connect-standalone.properties");
        assertEquals(Set.of(), unknown(s, new StandaloneConfig(s).values().keySet()));
        Map<String, String> d = props("connect-distributed.properties");
        assertEquals(Set.of(), unknown(d, new DistributedConfig(d).values().keySet()));
        assertEquals("enabled", d.get("exactly.once.source.support"));
    }

    /** Keys neither the worker defines nor a converter's own (key.converter.*, value.converter.*). */
    private static Set<String> unknown(Map<String, String> config, Set<String> defined) {
        Set<String> out = new java.util.TreeSet<>(config.keySet());
        out.removeIf(k -> defined.contains(k) || k.startsWith("key.converter.") || k.startsWith("value.converter."));
        return out;
    }

    private static void check(Map<String, String> config, Connector connector) {
        ConfigDef def = connector.config();
        Map<String, String> errors = new TreeMap<>();
        for (String key : config.keySet()) {
            boolean known = def.names().contains(key) || FRAMEWORK.contains(key) || key.startsWith("producer.override.")
                    || key.startsWith("consumer.override.");
            assertTrue(known, "unknown key " + key + " for " + connector.getClass().getSimpleName());
        }
        for (ConfigValue v : def.validate(config)) {
            if (!v.errorMessages().isEmpty()) {
                errors.put(v.name(), String.join("; ", v.errorMessages()));
            }
        }
        assertEquals(Map.of(), errors, connector.getClass().getSimpleName());
        assertTrue(config.get("connector.class").equals(connector.getClass().getName()));
        List<String> converters = List.of(config.getOrDefault("value.converter", ""));
        assertTrue(converters.get(0).endsWith("ByteArrayConverter"), "the examples recommend Avro bytes");
    }

    private static Map<String, String> props(String name) throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(CONFIG.resolve(name))) {
            p.load(r);
        }
        Map<String, String> m = new HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> json(String name) throws Exception {
        return new ObjectMapper().readValue(CONFIG.resolve(name).toFile(), Map.class);
    }
}
