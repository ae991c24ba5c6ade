package io.vhdstream.topology.disk;

/**
 * Where a command sits in the input log: topic, partition, offset, and the record's timestamp (ms). The
 * offset orders everything; the timestamp only feeds deterministic metadata (VHD footer times).
 */
public record Position(String topic, int partition, long offset, long timestamp) {
}
