package io.vhdstream.embedded.demo;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.produce.WorkloadSpec;
import io.vhdstream.topology.produce.Workloads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the demo writes to its disk: the seeded workload with its snapshots (or a {@link DemoWriter}'s writes), applied
 * to the model as it is sent, and how much went out.
 */
final class DemoWorkload {
    /** Random points in time the demo rebuilds with {@code rebuild --at} and compares with the model. */
    private static final int REBUILD_POINTS = 8;

    private final DemoOptions options;
    private final DemoWriter writer;
    private final AtomicLong producedBytes = new AtomicLong();
    private final AtomicLong producedCommands = new AtomicLong();

    /** Input offset and disk digest at each random point the demo rebuilds with {@code rebuild --at}. */
    private final Map<Long, byte[]> points = new java.util.TreeMap<>();

    /**
     * Sends the workload and applies each command to the model in the same pass. The workload's writes come
     * from the generator; the demo places exactly {@code --snapshots} snapshots among them (snapshot i after
     * write i*W/N, the last after the last write), whatever the write volume. The snapshots do not wait for the
     * feed: one that falls behind the window resyncs (docs/decisions.md).
     */
    Model produce(Map<String, Object> client, String diskId) throws IOException {
        WorkloadSpec spec = WorkloadSpec.of(diskId, options.diskSize(), options.writeVolume(), 64 * 1024, 0, options.seed());
        long writes = (options.writeVolume() + spec.writeBytes() - 1) / spec.writeBytes();
        int n = options.snapshots();
        // Random points after the oldest snapshot the window will keep, so rebuild --at can serve them.
        long windowStart = n > options.retain() ? (n - options.retain() + 1) * writes / n : 0;
        java.util.Set<Long> pointAt = new java.util.HashSet<>();
        java.util.SplittableRandom r = new java.util.SplittableRandom(options.seed());
        for (int i = 0; i < REBUILD_POINTS && writes > windowStart; i++) {
            pointAt.add(windowStart + 1 + r.nextLong(writes - windowStart));
        }
        Model model = new Model();
        try (WorkloadProducer producer = WorkloadProducer.connect(client, io.vhdstream.topology.Topics.COMMANDS)) {
            long written = 0;
            int taken = 0;
            for (Iterator<DiskCommand> it = Workloads.commands(spec); it.hasNext(); ) {
                DiskCommand c = it.next();
                if (c.getPayload() instanceof io.vhdstream.schemas.command.Snapshot) {
                    continue;   // the generator's own (final) snapshot: the demo places them
                }
                var sent = send(producer, model, c);
                if (c.getPayload() instanceof io.vhdstream.schemas.command.Write) {
                    written++;
                    if (pointAt.contains(written)) {
                        points.put(WorkloadProducer.await(sent).offset(), model.digestNow());
                    }
                    while (taken < n - 1 && written >= (taken + 1) * writes / n) {
                        snapshot(producer, model, diskId, ++taken);
                    }
                }
            }
            while (taken < n) {
                snapshot(producer, model, diskId, ++taken);
            }
            producer.flush();
            producedBytes.set(producer.dataBytes());
        }
        return model;
    }

    /** Snapshot {@code s<k>}. */
    private void snapshot(WorkloadProducer producer, Model model, String diskId, int k) throws IOException {
        send(producer, model, io.vhdstream.topology.produce.DiskCommands.snapshot(diskId, "s" + k, null));
    }

    /** The writer's writes and snapshots, applied to the model as the client made them. */
    Model write(Map<String, Object> client, String diskId, Path dir) throws IOException {
        Files.createDirectories(dir);
        Model model = new Model();
        writer.write(client, diskId, options, dir, model, (bytes, operations) -> {
            producedBytes.addAndGet(bytes);
            producedCommands.addAndGet(operations);
        });
        return model;
    }

    private java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(WorkloadProducer producer,
            Model model, DiskCommand c) throws IOException {
        model.apply(c);
        var f = producer.send(c);
        producedCommands.incrementAndGet();
        producedBytes.set(producer.dataBytes());
        return f;
    }

    DemoWorkload(DemoOptions options, DemoWriter writer) {
        this.options = options;
        this.writer = writer;
    }

    long producedBytes() {
        return producedBytes.get();
    }

    long producedCommands() {
        return producedCommands.get();
    }

    Map<Long, byte[]> points() {
        return points;
    }
}
