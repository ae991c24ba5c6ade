package io.vhdstream.embedded.demo;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Snapshot;
import io.vhdstream.topology.produce.DiskCommands;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.produce.WorkloadSpec;
import io.vhdstream.topology.produce.Workloads;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Future;

/**
 * One disk of the soak: an endless seeded workload of 64 KiB writes with an occasional trim, every command applied
 * to the disk's model as it is sent, snapshots on demand, and some writes remembered as rebuild points (their
 * input offset and the model's digest right after them).
 */
final class SoakDisk {
    static final int WRITE_BYTES = 64 * 1024;
    /** About one write in this many is followed by a trim, so that trims cross merges too. */
    private static final int TRIM_EVERY = 200;

    final String diskId;
    final Model model = new Model();
    private final Iterator<DiskCommand> writes;
    private final SplittableRandom random;
    private final long size;
    private final Map<Long, byte[]> points = new TreeMap<>();
    private int snapshots;

    SoakDisk(String diskId, long size, long seed) {
        this.diskId = diskId;
        this.size = size;
        this.random = new SplittableRandom(seed ^ 0x5eed);
        this.writes = Workloads.commands(WorkloadSpec.of(diskId, size, Long.MAX_VALUE / 4, WRITE_BYTES, 0, seed));
    }

    /** Sends the next write (the first call sends the CreateDisk too) and, now and then, a trim. */
    Future<RecordMetadata> write(WorkloadProducer producer) throws IOException {
        DiskCommand c = writes.next();
        while (c.getPayload() instanceof Snapshot) {
            c = writes.next();   // the generator's own: the soak takes snapshots by the clock
        }
        Future<RecordMetadata> sent = send(producer, c);
        if (random.nextInt(TRIM_EVERY) == 0) {
            long sectors = size / 512;
            long len = Math.min(sectors, 1 + random.nextLong(2048));
            sent = send(producer, DiskCommands.trim(diskId, random.nextLong(sectors - len + 1) * 512, len * 512));
        }
        return sent;
    }

    /** Sends the next snapshot, s1, s2, ... */
    void snapshot(WorkloadProducer producer) throws IOException {
        send(producer, DiskCommands.snapshot(diskId, "s" + (++snapshots), null));
    }

    /** Remembers the point right after {@code sent} (the last command sent) for a rebuild --at. */
    void remember(Future<RecordMetadata> sent) throws IOException {
        points.put(WorkloadProducer.await(sent).offset(), model.digestNow());
    }

    int snapshots() {
        return snapshots;
    }

    Map<Long, byte[]> points() {
        return points;
    }

    private Future<RecordMetadata> send(WorkloadProducer producer, DiskCommand c) throws IOException {
        model.apply(c);
        return producer.send(c);
    }
}
