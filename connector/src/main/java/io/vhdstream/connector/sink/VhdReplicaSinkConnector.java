package io.vhdstream.connector.sink;

import io.vhdstream.connector.Version;
import io.vhdstream.connector.config.DirectoryChecks;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds the source's VHD chains from the changed-block topic (see {@link ReplicaStore}). Records are keyed
 * by disk id, so a disk's records are in one partition, in order, and one task at a time writes its replica.
 */
public class VhdReplicaSinkConnector extends SinkConnector {
    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        new VhdReplicaSinkConnectorConfig(props);
        this.props = new HashMap<>(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return VhdReplicaSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            out.add(new HashMap<>(props));
        }
        return out;
    }

    @Override
    public void stop() {
        // Nothing runs in the connector itself.
    }

    @Override
    public ConfigDef config() {
        return VhdReplicaSinkConnectorConfig.CONFIG_DEF;
    }

    /** Adds the file-system check: the replica directory is writable (or can be created) on this worker. */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        for (ConfigValue v : config.configValues()) {
            if (v.name().equals(VhdReplicaSinkConnectorConfig.REPLICA_DIR_CONFIG) && v.errorMessages().isEmpty() && v.value() != null) {
                try {
                    String why = DirectoryChecks.writableDirectory(Path.of(v.value().toString().trim()));
                    if (why != null) {
                        v.addErrorMessage(why);
                    }
                } catch (InvalidPathException e) {
                    v.addErrorMessage("'" + v.value() + "' is not a valid path");
                }
            }
        }
        return config;
    }
}
