package io.vhdstream.connector.source;

import io.vhdstream.connector.Version;
import io.vhdstream.connector.config.DirectoryChecks;
import io.vhdstream.connector.offset.LayerOffset;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ConnectorTransactionBoundaries;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the sealed layers of VHD chains under the configured roots into changed-block records (see
 * {@link VhdSourceTask}). The connector itself is thin: it validates the configuration and hands every task
 * the same settings plus its number. Tasks scan the roots themselves and keep the disks whose id hashes to
 * their number, so a new disk needs no task reconfiguration (which, with exactly-once delivery, would fence
 * and restart every task) and a disk moves between tasks only when {@code tasks.max} changes; its offset
 * moves with it.
 */
public class VhdSourceConnector extends SourceConnector {
    /** Connect's connector key (SourceConnectorConfig.EXACTLY_ONCE_SUPPORT_CONFIG, in connect-runtime). */
    static final String EXACTLY_ONCE_SUPPORT = "exactly.once.support";
    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        new VhdSourceConnectorConfig(props); // fails the connector, not a task, on a bad value
        this.props = new HashMap<>(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return VhdSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> out = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> t = new HashMap<>(props);
            t.put(VhdSourceConnectorConfig.TASK_ID_CONFIG, Integer.toString(i));
            t.put(VhdSourceConnectorConfig.TASK_COUNT_CONFIG, Integer.toString(maxTasks));
            out.add(t);
        }
        return out;
    }

    @Override
    public void stop() {
        // Nothing runs in the connector itself.
    }

    @Override
    public ConfigDef config() {
        return VhdSourceConnectorConfig.CONFIG_DEF;
    }

    /**
     * Adds what a ConfigDef cannot check: every root exists and is a readable directory, on this worker; and
     * an active leaf is not asked for together with exactly-once delivery (the worker's own refusal names
     * neither key).
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        for (ConfigValue v : config.configValues()) {
            if (v.name().equals(VhdSourceConnectorConfig.INCLUDE_ACTIVE_LAYER_CONFIG) && Boolean.TRUE.equals(v.value())
                    && "required".equalsIgnoreCase(String.valueOf(connectorConfigs.get(EXACTLY_ONCE_SUPPORT)).trim())) {
                v.addErrorMessage(VhdSourceConnectorConfig.INCLUDE_ACTIVE_LAYER_CONFIG + "=true cannot be combined with "
                        + EXACTLY_ONCE_SUPPORT + "=required: an active leaf may change while it is read, so its records"
                        + " cannot be promised exactly once; set " + VhdSourceConnectorConfig.INCLUDE_ACTIVE_LAYER_CONFIG
                        + "=false, or " + EXACTLY_ONCE_SUPPORT + "=requested");
            }
            if (v.name().equals(VhdSourceConnectorConfig.ROOTS_CONFIG) && v.errorMessages().isEmpty() && v.value() instanceof List<?> roots) {
                for (Object r : roots) {
                    try {
                        String why = DirectoryChecks.readableDirectory(Path.of(r.toString().trim()));
                        if (why != null) {
                            v.addErrorMessage("root " + why);
                        }
                    } catch (InvalidPathException e) {
                        v.addErrorMessage("root '" + r + "' is not a valid path");
                    }
                }
            }
        }
        return config;
    }

    /**
     * Sealed layers never change and are cut into records the same way on every read, and every record
     * carries its offset: with the offset committed in the same transaction, a restart neither repeats nor
     * skips a record. An active leaf may change under the reader, so then there is no such promise.
     */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        String active = connectorConfig.get(VhdSourceConnectorConfig.INCLUDE_ACTIVE_LAYER_CONFIG);
        return active != null && active.trim().equalsIgnoreCase("true") ? ExactlyOnceSupport.UNSUPPORTED : ExactlyOnceSupport.SUPPORTED;
    }

    /** Tasks commit one transaction per layer, on its EndOfLayer record (and one per batch of SourceError records). */
    @Override
    public ConnectorTransactionBoundaries canDefineTransactionBoundaries(Map<String, String> connectorConfig) {
        return ConnectorTransactionBoundaries.SUPPORTED;
    }

    /** Accepts offsets written through the REST API only in the shape the tasks write them (or null, to reset a disk). */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        for (Map.Entry<Map<String, ?>, Map<String, ?>> e : offsets.entrySet()) {
            try {
                LayerOffset.diskIdOf(e.getKey());
                LayerOffset.fromMap(e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new ConnectException("invalid offset: " + ex.getMessage());
            }
        }
        return true;
    }
}
