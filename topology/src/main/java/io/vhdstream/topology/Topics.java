package io.vhdstream.topology;

/**
 * Names shared by the topology, its configuration, the tests, the rebuild tool and the workload producer:
 * the default topic names, the layer store's name, and the topology's node names. Topic names can be
 * overridden in the configuration ({@code vhdstream.topic.*}); these are the defaults.
 */
public final class Topics {
    /** The input: {@code DiskCommand} records keyed by disk id. Must keep every record (no retention limit). */
    public static final String COMMANDS = "vhdstream-commands";
    /** {@code LayerEvent} records (LayerSealed, DiskDeleted) keyed by disk id. */
    public static final String LAYERS = "vhdstream-layers";
    /** {@code DeadLetter} records: input the topology rejected, with the reason. */
    public static final String DEAD_LETTERS = "vhdstream-dead-letters";
    /**
     * Compacted {@code Checkpoint} records (key: {@code CheckpointKeys}): each disk's base layer and metadata,
     * from which a lost layer directory is recovered without the commands retention deleted.
     */
    public static final String CHECKPOINTS = "vhdstream-checkpoints";

    /** The custom state store holding every disk's layer directory (see docs/layer-directory.md). */
    public static final String LAYER_STORE = "vhdstream-layer-store";

    /** Metric group of the topology's own task metrics (tag {@code task-id}). */
    public static final String METRIC_GROUP = "vhdstream-layer-metrics";

    /** Topology node names. */
    public static final String SOURCE_NODE = "commands-source";
    public static final String PROCESSOR_NODE = "disk-command-processor";
    public static final String LAYERS_SINK_NODE = "layers-sink";
    public static final String DEAD_LETTER_SINK_NODE = "dead-letters-sink";
    public static final String CHECKPOINTS_SINK_NODE = "checkpoints-sink";

    private Topics() {
    }
}
