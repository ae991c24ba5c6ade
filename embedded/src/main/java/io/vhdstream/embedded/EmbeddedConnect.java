package io.vhdstream.embedded;

import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka Connect standalone worker in this JVM. Plugins are found by ServiceLoader on the class
 * path (our connectors register themselves in META-INF/services), which starts in about a second instead
 * of scanning every jar.
 */
public final class EmbeddedConnect implements AutoCloseable {
    private final Connect<StandaloneHerder> connect;

    private EmbeddedConnect(Connect<StandaloneHerder> connect) {
        this.connect = connect;
    }

    /**
     * @param workerProps worker settings over the defaults set here (bootstrap servers, offsets file, a REST
     *                    listener on a free loopback port, converters)
     */
    public static EmbeddedConnect start(String bootstrapServers, Path offsetsFile, Map<String, String> workerProps) {
        return start(Map.of("bootstrap.servers", bootstrapServers), offsetsFile, workerProps);
    }

    /**
     * Like {@link #start(String, Path, Map)}, with full Kafka client settings (bootstrap servers, TLS, SASL): they
     * apply to the worker's own clients and, through the {@code producer.}, {@code consumer.} and {@code admin.}
     * prefixes, to the connectors' clients.
     */
    public static EmbeddedConnect start(Map<String, ?> clientSettings, Path offsetsFile, Map<String, String> workerProps) {
        Exit.setExitProcedure((status, message) -> {
            throw new IllegalStateException("embedded Connect worker wanted to exit (" + status + "): " + message);
        });
        Map<String, String> p = new HashMap<>();
        clientSettings.forEach((k, v) -> {
            for (String prefix : new String[] {"", "producer.", "consumer.", "admin."}) {
                p.put(prefix + k, String.valueOf(v));
            }
        });
        p.put("offset.storage.file.filename", offsetsFile.toString());
        p.put("offset.flush.interval.ms", "1000");
        p.put("listeners", "http://127.0.0.1:0");
        p.put("plugin.discovery", "service_load");
        p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.put("value.converter.schemas.enable", "true");
        p.put("producer.max.request.size", String.valueOf(EmbeddedBroker.MAX_MESSAGE_BYTES));
        p.put("consumer.max.partition.fetch.bytes", String.valueOf(EmbeddedBroker.MAX_MESSAGE_BYTES));
        p.putAll(workerProps);
        return new EmbeddedConnect(new ConnectStandalone().startConnect(p));
    }

    public Herder herder() {
        return connect.herder();
    }

    public String restUrl() {
        return connect.rest().serverUrl().toString();
    }

    /** Creates or replaces a connector and waits until the worker has accepted it. */
    public void putConnector(String name, Map<String, String> config) throws IOException {
        Map<String, String> c = new HashMap<>(config);
        c.put("name", name);
        FutureCallback<Herder.Created<ConnectorInfo>> cb = new FutureCallback<>();
        connect.herder().putConnectorConfig(name, c, true, cb);
        try {
            cb.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("Connect refused connector " + name + ": " + rootMessage(e), e);
        }
    }

    public ConnectorStateInfo status(String name) {
        return connect.herder().connectorStatus(name);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    @Override
    public void close() {
        connect.stop();
        connect.awaitStop();
    }
}
