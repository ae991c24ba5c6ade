package io.vhdstream.connector.sink;

import io.vhdstream.connector.config.Validators;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

import java.nio.file.Path;
import java.util.Map;

/** The replica sink's settings (besides Connect's own: topics, errors.tolerance, errors.deadletterqueue.*...). */
public final class VhdReplicaSinkConnectorConfig extends AbstractConfig {
    private static final String GROUP = "Replica";

    public static final String REPLICA_DIR_CONFIG = "replica.dir";
    private static final String REPLICA_DIR_DOC = "Directory the replica chains are written under: one directory per"
            + " disk (the disk id encoded as in layer directories), holding per source layer a VHD"
            + " (NNNN@<snapshot>-<source layer id>.vhd, or NNNN-<source layer id>.vhd for layers of foreign chains: a dynamic disk for the base, a differencing disk on its parent's replica"
            + " otherwise) and a .manifest sidecar naming the source layer, its parent and its state (WRITING, SEALED,"
            + " FAILED). Must be writable by the worker; created if missing. Every task of the connector may write"
            + " here: give each sink connector its own directory.";

    public static final String OPEN_LAYERS_MAX_CONFIG = "open.layers.max";
    public static final int OPEN_LAYERS_MAX_DEFAULT = 64;
    private static final String OPEN_LAYERS_MAX_DOC = "How many replica layers one task keeps open for writing at"
            + " once (two file handles each); the least recently used is synced and closed beyond that.";

    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(REPLICA_DIR_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Validators.pathString(), Importance.HIGH,
                    REPLICA_DIR_DOC, GROUP, 1, Width.LONG, "Replica directory")
            .define(OPEN_LAYERS_MAX_CONFIG, Type.INT, OPEN_LAYERS_MAX_DEFAULT, ConfigDef.Range.between(1, 100_000),
                    Importance.LOW, OPEN_LAYERS_MAX_DOC, GROUP, 2, Width.SHORT, "Open layers");

    public VhdReplicaSinkConnectorConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
    }

    public Path replicaDir() {
        return Path.of(getString(REPLICA_DIR_CONFIG).trim());
    }

    public int openLayersMax() {
        return getInt(OPEN_LAYERS_MAX_CONFIG);
    }
}
