package io.vhdstream.embedded.demo;

import io.vhdstream.topology.disk.Retention;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the soak runs: {@code disks} disks of {@code diskSize} bytes written at {@code writeRate} bytes a second
 * in all, a snapshot of each every {@code snapshotEvery}, for {@code duration}; the topology and the Connect worker
 * killed about every {@code killEvery} (zero: never), every {@code outageEvery}-th kill of the worker (zero: none) a
 * long outage that keeps it down past the retention window, so that its feed falls behind a merge and resyncs; a
 * table row every {@code reportEvery}.
 *
 * @param keepDir where to leave the broker data, layers, replica and logs (null: a temp dir, deleted after a pass)
 */
public record SoakOptions(Duration duration, long seed, int disks, long diskSize, int retain, long writeRate,
                          Duration snapshotEvery, Duration killEvery, int outageEvery, Duration reportEvery,
                          Path keepDir) {
    public SoakOptions {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--duration must be positive");
        }
        if (disks < 1 || disks > 16) {
            throw new IllegalArgumentException("--disks must be between 1 and 16");
        }
        if (diskSize < (4L << 20) || diskSize > (1L << 30) || diskSize % 512 != 0) {
            throw new IllegalArgumentException("--size must be a multiple of 512 between 4 MiB and 1 GiB (the model holds"
                    + " each disk in memory)");
        }
        if (retain < 1 || retain > Retention.MAX_SNAPSHOTS) {
            throw new IllegalArgumentException("--retain must be between 1 and " + Retention.MAX_SNAPSHOTS);
        }
        if (writeRate < 64 * 1024) {
            throw new IllegalArgumentException("--rate must be at least 64K (one write a second)");
        }
        if (outageEvery < 0) {
            throw new IllegalArgumentException("--outage-every must not be negative");
        }
        if (snapshotEvery.toMillis() < 1000 || killEvery.isNegative() || reportEvery.toMillis() < 1000) {
            throw new IllegalArgumentException("--snapshot-every and --report-every must be at least 1s, --kill-every not"
                    + " negative");
        }
    }

    /** Snapshots of each disk over the run: one every {@code snapshotEvery}, the last at the end. */
    public int snapshots() {
        return (int) Math.max(1, duration.toMillis() / snapshotEvery.toMillis());
    }

    /**
     * How long a long outage keeps the worker down: the retention window and two more snapshots, so that retention
     * merges at least one layer the source had not sent when it was killed (one snapshot of margin for the seal's lag).
     */
    public Duration outage() {
        return snapshotEvery.multipliedBy(retain + 2L);
    }

    /** The retention the topology (and the soak's rebuilds) apply: {@code retain} snapshots, the default age. */
    public Retention retention() {
        return new Retention(retain, Retention.DEFAULT_MAX_AGE_MS);
    }
}
