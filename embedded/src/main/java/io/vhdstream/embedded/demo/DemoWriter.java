package io.vhdstream.embedded.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What makes the demo disk's writes when not the seeded producer: another front end (the CLI's NBD mode, where
 * qemu-img and qemu-io write through {@code vhdstream nbd serve}). The demo then verifies every stage after it
 * exactly as for the producer, against the model the writer kept.
 */
public interface DemoWriter extends AutoCloseable {
    /** Counts what the writer sent: payload bytes and client operations. */
    interface Progress {
        void wrote(long bytes, long operations);
    }

    /** A check's outcome, printed with the demo's own. */
    interface CheckSink {
        void check(String what, boolean ok, String detail);
    }

    /**
     * What the pipeline made, for the writer's own checks.
     *
     * @param layers    the topology's layer directory (all disks)
     * @param replica   the replica sink's directory (all disks)
     * @param rebuilds  one {@code rebuild --out} directory per retained snapshot, named by its encoded id
     * @param retained  the snapshot ids the topology still keeps, oldest first
     * @param digests   SHA-256 of the disk at each snapshot, as the client wrote it
     */
    record Outputs(String diskId, Path layers, Path replica, Path rebuilds, List<String> retained,
                   Map<String, byte[]> digests) {
    }

    /** The throughput table's name for the writes, e.g. "NBD writes (qemu-img, qemu-io)". */
    String stageName();

    /**
     * Creates disk {@code diskId} of {@code options.diskSize()} bytes, writes about {@code options.writeVolume()}
     * bytes and takes exactly {@code options.snapshots()} snapshots named s1..sN, applying each write and
     * snapshot to {@code model} as the client made it. Returns once every snapshot is acknowledged by Kafka.
     *
     * @param dir a directory of its own under the demo's work directory
     */
    void write(Map<String, Object> client, String diskId, DemoOptions options, Path dir, Model model, Progress progress)
            throws IOException;

    /** The writer's own checks once the pipeline's are done (the writer's servers are still up). */
    default void verify(Outputs outputs, CheckSink checks) throws IOException {
    }

    /** Stops what {@link #write} started. */
    @Override
    void close() throws IOException;
}
