package io.vhdstream.embedded.demo;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the demo runs: one disk of {@code diskSize} bytes written {@code writeVolume} bytes over, sealed
 * into {@code snapshots} snapshots.
 *
 * @param keepDir          where to leave the broker data, layers and replica (null: a temp dir, deleted)
 * @param clientSettings   the Kafka client settings of an existing cluster to use instead of the embedded broker
 *                         (bootstrap.servers, TLS, SASL; null: embedded)
 */
public record DemoOptions(long diskSize, long writeVolume, int snapshots, long seed, Path keepDir,
                          Map<String, Object> clientSettings, boolean interactive, int retain) {
    public static final long DEFAULT_SIZE = 256L << 20;
    public static final int DEFAULT_SNAPSHOTS = 8;

    public DemoOptions {
        if (diskSize < (4L << 20) || diskSize % 512 != 0) {
            throw new IllegalArgumentException("--size must be a multiple of 512 of at least 4 MiB");
        }
        if (snapshots < 1 || snapshots > 1000) {
            throw new IllegalArgumentException("--snapshots must be between 1 and 1000");
        }
        if (retain < 1 || retain > io.vhdstream.topology.disk.Retention.MAX_SNAPSHOTS) {
            throw new IllegalArgumentException("--retain must be between 1 and " + io.vhdstream.topology.disk.Retention.MAX_SNAPSHOTS);
        }
        clientSettings = clientSettings == null ? null : Map.copyOf(clientSettings);
    }

    public DemoOptions(long diskSize, long writeVolume, int snapshots, long seed, Path keepDir,
                       Map<String, Object> clientSettings, boolean interactive) {
        this(diskSize, writeVolume, snapshots, seed, keepDir, clientSettings, interactive,
                io.vhdstream.topology.disk.Retention.DEFAULT_SNAPSHOTS);
    }

    /** The retention the topology (and the demo's rebuilds) apply: {@code retain} snapshots, the default age. */
    public io.vhdstream.topology.disk.Retention retention() {
        return new io.vhdstream.topology.disk.Retention(retain, io.vhdstream.topology.disk.Retention.DEFAULT_MAX_AGE_MS);
    }
}
