package io.vhdstream.topology.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * One topic of the topology: its role ({@code commands}, {@code layers}, {@code dead-letters}), name,
 * partitions, replication factor (-1: broker default) and topic configs.
 */
public record TopicSpec(String role, String name, int partitions, short replicationFactor, Map<String, String> configs) {
    public TopicSpec {
        configs = java.util.Collections.unmodifiableMap(new TreeMap<>(configs));
    }
}
