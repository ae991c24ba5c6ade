package io.vhdstream.topology.produce;

import io.vhdstream.schemas.Limits;

/**
 * A seeded synthetic workload for one disk: CreateDisk, then writes (a mix of sequential runs and random
 * positions) until {@code totalBytes} were written, a Snapshot after every {@code snapshotEveryBytes}, a few
 * Trims spread over the run, and a final Snapshot. The same spec always yields the same commands (their
 * {@code timestamp}, the time of issue, aside).
 *
 * @param writeBytes         size of each write: a positive multiple of 512 of at most {@link Limits#MAX_WRITE_BYTES}
 * @param sequentialFraction share of writes that continue where the previous sequential write ended (0..1)
 * @param zeroFraction       share of writes whose data is all zeros (they still make sectors present)
 * @param snapshotEveryBytes a Snapshot after this many bytes written; 0 for none but the final one
 * @param trims              number of Trims (up to 1 MiB each) spread evenly over the writes
 * @param snapshotPrefix     snapshot ids are this prefix plus 1, 2, ...
 */
public record WorkloadSpec(String diskId, long virtualSize, int blockSize, long totalBytes, int writeBytes,
                           double sequentialFraction, double zeroFraction, long snapshotEveryBytes, int trims,
                           long seed, String snapshotPrefix) {
    public WorkloadSpec {
        String idProblem = io.vhdstream.topology.disk.LayerNames.diskIdProblem(diskId);
        if (idProblem != null) {
            throw new IllegalArgumentException(idProblem);
        }
        if (writeBytes <= 0 || writeBytes % Limits.SECTOR != 0) {
            throw new IllegalArgumentException("write size " + writeBytes + " must be a positive multiple of " + Limits.SECTOR);
        }
        if (writeBytes > Limits.MAX_WRITE_BYTES) {
            throw new IllegalArgumentException("write size " + writeBytes + " exceeds the limit of " + Limits.MAX_WRITE_BYTES
                    + " bytes per Write command (Limits.MAX_WRITE_BYTES)");
        }
        if (virtualSize < writeBytes || virtualSize % Limits.SECTOR != 0) {
            throw new IllegalArgumentException("disk size " + virtualSize + " must be a multiple of " + Limits.SECTOR
                    + " of at least one write (" + writeBytes + ")");
        }
        if (sequentialFraction < 0 || sequentialFraction > 1 || zeroFraction < 0 || zeroFraction > 1) {
            throw new IllegalArgumentException("fractions must be between 0 and 1");
        }
        if (totalBytes < 0 || snapshotEveryBytes < 0 || trims < 0) {
            throw new IllegalArgumentException("sizes and counts must not be negative");
        }
        if (snapshotPrefix == null) {
            throw new IllegalArgumentException("snapshot prefix must not be null");
        }
    }

    /** Defaults: 2 MiB blocks, 70% sequential, 5% zero writes, 4 trims, snapshots named s1, s2, ... */
    public static WorkloadSpec of(String diskId, long virtualSize, long totalBytes, int writeBytes, long snapshotEveryBytes,
                                  long seed) {
        return new WorkloadSpec(diskId, virtualSize, Limits.DEFAULT_BLOCK_SIZE, totalBytes, writeBytes, 0.7, 0.05,
                snapshotEveryBytes, 4, seed, "s");
    }

    /** The same workload, its snapshot ids {@code prefix} plus 1, 2, ... */
    public WorkloadSpec withSnapshotPrefix(String prefix) {
        return new WorkloadSpec(diskId, virtualSize, blockSize, totalBytes, writeBytes, sequentialFraction, zeroFraction,
                snapshotEveryBytes, trims, seed, prefix);
    }
}
