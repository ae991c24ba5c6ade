package io.vhdstream.topology.store;

import io.vhdstream.topology.recovery.CheckpointLog;
import io.vhdstream.topology.recovery.InputLog;
import org.apache.kafka.streams.state.StoreBuilder;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Builds {@link LayerStore}s. The store has no cache and no changelog topic of its own (the input topic is its
 * log, registered by the topology as a source-topic changelog): asking for either is refused rather than
 * silently ignored.
 */
public final class LayerStoreBuilder implements StoreBuilder<LayerStore> {
    private final String name;
    private final Path layersDir;
    private final String inputTopic;
    private final int maxOpenLayers;
    private final io.vhdstream.topology.disk.Retention retention;
    private final InputLog.Factory inputLogs;
    private final CheckpointLog.Factory checkpointLogs;

    public LayerStoreBuilder(String name, Path layersDir, String inputTopic, int maxOpenLayers,
                             io.vhdstream.topology.disk.Retention retention, InputLog.Factory inputLogs,
                             CheckpointLog.Factory checkpointLogs) {
        this.retention = Objects.requireNonNull(retention);
        this.name = Objects.requireNonNull(name);
        this.layersDir = layersDir.toAbsolutePath().normalize();
        this.inputTopic = Objects.requireNonNull(inputTopic);
        this.maxOpenLayers = maxOpenLayers;
        this.inputLogs = Objects.requireNonNull(inputLogs);
        this.checkpointLogs = Objects.requireNonNull(checkpointLogs);
    }

    @Override
    public StoreBuilder<LayerStore> withCachingEnabled() {
        throw new UnsupportedOperationException("the layer store has no record cache");
    }

    @Override
    public StoreBuilder<LayerStore> withCachingDisabled() {
        return this;
    }

    @Override
    public StoreBuilder<LayerStore> withLoggingEnabled(Map<String, String> config) {
        throw new UnsupportedOperationException("the layer store has no changelog topic: the input topic is its log");
    }

    /** Called by {@code Topology.addReadOnlyStateStore}, which makes the input topic the store's changelog. */
    @Override
    public StoreBuilder<LayerStore> withLoggingDisabled() {
        return this;
    }

    @Override
    public LayerStore build() {
        return new LayerStore(name, layersDir, inputTopic, maxOpenLayers, retention, inputLogs, checkpointLogs);
    }

    @Override
    public Map<String, String> logConfig() {
        return Map.of();
    }

    @Override
    public boolean loggingEnabled() {
        return false;
    }

    @Override
    public String name() {
        return name;
    }
}
