package io.vhdstream.cli.kafka;

import io.vhdstream.cli.Terminal;
import io.vhdstream.cli.VhdstreamCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Kafka client configuration of every verb that talks to a cluster; mix it into a verb with
 * {@code @Mixin KafkaClientOptions kafka;}. It takes what users already have for Kafka's own tools:
 * <ul>
 * <li>{@code --bootstrap-servers HOST:PORT[,...]};</li>
 * <li>{@code --command-config FILE}: a client properties file (TLS, SASL, timeouts), the Kafka tools'
 *     convention;</li>
 * <li>{@code --set KEY=VALUE} (repeatable): one client property.</li>
 * </ul>
 * Later sources win: the file, then {@code --set}, then {@code --bootstrap-servers}. Verbs pass
 * {@link #clientSettings()} (checked: a bad key or value is a CONFIG error naming it) to their clients and open a
 * {@code ClusterConnection} with it first, reporting waits through {@link #progress(String)}:
 * <pre>
 * try (var cluster = ClusterConnection.open(kafka.clientSettings(), ClusterConnection.COMMAND_WAIT, kafka::progress)) {
 *     ...
 * }
 * </pre>
 * Fields and signatures hold plain types only: picocli reflects over every mixin at start-up.
 */
public final class KafkaClientOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka cluster (default: bootstrap.servers from --command-config or --set, else 127.0.0.1:9092).")
    String bootstrapServers;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "Kafka client properties file (security.protocol, ssl.*, sasl.*, ...), as Kafka's tools take it.")
    Path commandConfig;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Set one Kafka client property (repeatable); wins over --command-config.")
    Map<String, String> set = new LinkedHashMap<>();

    private Map<String, String> fileSettings;

    /**
     * The settings as given (file, then {@code --set}, then {@code --bootstrap-servers}), unchecked and without
     * defaults: for callers that check them against their own definition (the topology).
     */
    public Map<String, String> settings() throws IOException {
        Map<String, String> m = new LinkedHashMap<>(file());
        m.putAll(set);
        if (bootstrapServers != null) {
            m.put("bootstrap.servers", bootstrapServers);
        }
        return m;
    }

    /** Where each key of {@link #settings()} came from, for error messages. */
    public Map<String, String> sources() throws IOException {
        Map<String, String> s = new LinkedHashMap<>();
        file().keySet().forEach(k -> s.put(k, "--command-config " + commandConfig));
        set.keySet().forEach(k -> s.put(k, "--set"));
        if (bootstrapServers != null) {
            s.put("bootstrap.servers", "--bootstrap-servers");
        }
        return s;
    }

    /**
     * The Kafka client settings for this verb's clients: {@link #settings()} with {@code bootstrap.servers}
     * defaulted, checked (a ConfigException names the bad key and the accepted values).
     */
    public Map<String, Object> clientSettings() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>(settings());
        m.putIfAbsent("bootstrap.servers", io.vhdstream.topology.config.ClientSettings.DEFAULT_BOOTSTRAP_SERVERS);
        io.vhdstream.topology.config.ClientSettings.validate(m, sources());
        return m;
    }

    /** The --command-config file's settings, read once. */
    private Map<String, String> file() throws IOException {
        if (fileSettings == null) {
            fileSettings = commandConfig == null ? Map.of() : io.vhdstream.topology.config.ClientSettings.load(commandConfig);
        }
        return fileSettings;
    }

    /** Shows a progress line (waiting for the cluster, say) on stderr when it is a terminal; nothing otherwise. */
    public void progress(String line) {
        // through commandLine(): inside another mixin (disk verbs), the mixee is that mixin, not the verb
        Terminal t = ((VhdstreamCommand) mixee.commandLine().getCommandSpec().root().userObject()).terminal();
        if (t.interactive()) {
            PrintWriter err = mixee.commandLine().getErr();
            err.println("vhdstream: " + line);
            err.flush();
        }
    }
}
