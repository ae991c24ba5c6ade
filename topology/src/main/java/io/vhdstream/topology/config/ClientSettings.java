package io.vhdstream.topology.config;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The Kafka client settings a user hands to vhdstream (a client properties file, as Kafka's tools take with
 * {@code --command-config}, and single {@code KEY=VALUE} settings): checked before any client is built, so
 * that a typo or a bad value is a {@link ConfigException} naming the key and the accepted values instead of a
 * failure deep inside a client constructor. Only settings some Kafka client (producer, consumer or admin)
 * knows are accepted; files named by {@code *.location} settings must exist.
 */
public final class ClientSettings {
    /** Where the commands look for Kafka when nothing says otherwise (the embedded broker's port). */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

    private static final List<ConfigDef> CLIENT_DEFS = List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
            AdminClientConfig.configDef());

    private ClientSettings() {
    }

    /** Reads a client properties file (UTF-8, {@link Properties} syntax). */
    public static Map<String, String> load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new ConfigException("client properties file " + file + " does not exist");
        } catch (IllegalArgumentException e) {
            throw new ConfigException("client properties file " + file + " is not a properties file: " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k).trim());
        }
        return m;
    }

    /**
     * Checks settings meant for Kafka clients: every key is a producer, consumer or admin setting, every value
     * parses and passes the key's validator, {@code bootstrap.servers} is a list of HOST:PORT, and files named
     * by {@code *.location} exist. {@code sources} says for each key where it came from (may lack keys).
     */
    public static void validate(Map<String, ?> settings, Map<String, String> sources) {
        for (Map.Entry<String, ?> e : settings.entrySet()) {
            String key = e.getKey();
            String source = sources.get(key);
            ConfigDef def = defining(key);
            if (def == null) {
                throw new ConfigException("'" + key + "'" + (source != null ? " (" + source + ")" : "")
                        + " is not a Kafka client setting (producer, consumer or admin); see "
                        + "https://kafka.apache.org/documentation/#producerconfigs");
            }
            Object value = e.getValue();
            if (value instanceof String || value instanceof Number || value instanceof Boolean) {
                ConfigValues.check(def, key, value, source);
            }
            if (key.endsWith(".location") && value instanceof String s && !s.isBlank() && !Files.exists(Path.of(s.trim()))) {
                throw new ConfigException(key + "=" + s + (source != null ? " (" + source + ")" : "") + ": no such file");
            }
        }
        Object bs = settings.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (bs != null) {
            bootstrapAddresses(String.valueOf(bs));
        }
    }

    /** The first client definition that knows {@code key}, or null. */
    private static ConfigDef defining(String key) {
        for (ConfigDef d : CLIENT_DEFS) {
            if (d.configKeys().containsKey(key)) {
                return d;
            }
        }
        return null;
    }

    /**
     * The addresses of a {@code bootstrap.servers} value, unresolved (name resolution is the reachability
     * check's job). Throws {@link ConfigException} for anything but a comma-separated list of HOST:PORT.
     */
    public static List<InetSocketAddress> bootstrapAddresses(String bootstrapServers) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String entry : bootstrapServers.split(",")) {
            String s = entry.trim();
            if (s.isEmpty()) {
                continue;
            }
            String host = Utils.getHost(s);
            Integer port = Utils.getPort(s);
            if (host == null || port == null || host.isEmpty() || port < 1 || port > 65535) {
                throw new ConfigException(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + "='" + bootstrapServers
                        + "' is not valid: expected HOST:PORT[,HOST:PORT...], e.g. " + DEFAULT_BOOTSTRAP_SERVERS
                        + " ('" + s + "' is not HOST:PORT)");
            }
            out.add(InetSocketAddress.createUnresolved(host, port));
        }
        if (out.isEmpty()) {
            throw new ConfigException(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG + " is empty: expected "
                    + "HOST:PORT[,HOST:PORT...], e.g. " + DEFAULT_BOOTSTRAP_SERVERS);
        }
        return out;
    }

    /** The bootstrap servers of {@code settings}, or {@link #DEFAULT_BOOTSTRAP_SERVERS}. */
    public static String bootstrapServers(Map<String, ?> settings) {
        Object bs = settings.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        return bs == null ? DEFAULT_BOOTSTRAP_SERVERS : String.valueOf(bs);
    }

    /** "security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-256": how a client authenticates, for messages. */
    public static String describeSecurity(Map<String, ?> settings) {
        Object protocol = settings.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
        String p = protocol == null ? "PLAINTEXT" : String.valueOf(protocol);
        String s = CommonClientConfigs.SECURITY_PROTOCOL_CONFIG + "=" + p;
        if (p.startsWith("SASL")) {
            Object mechanism = settings.get("sasl.mechanism");
            s += ", sasl.mechanism=" + (mechanism == null ? "GSSAPI" : mechanism);
        }
        return s;
    }
}
