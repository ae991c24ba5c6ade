package io.vhdstream.topology.produce;

import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.command.CreateDisk;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.command.Snapshot;
import io.vhdstream.schemas.command.Trim;
import io.vhdstream.schemas.command.Write;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.Outcome;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.support.DiskModel;
import io.vhdstream.topology.support.Layers;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadsTest {
    static final long MIB = 1 << 20;

    @TempDir
    Path work;

    static List<DiskCommand> all(WorkloadSpec s) {
        List<DiskCommand> out = new ArrayList<>();
        Workloads.commands(s).forEachRemaining(out::add);
        return out;
    }

    @Test
    void aWorkloadIsSeededAndShapedAsSpecified() {
        WorkloadSpec s = new WorkloadSpec("w", 8 * MIB, 1 << 20, 20 * MIB, 64 * 1024, 0.5, 0.1, 4 * MIB, 3, 99, "snap-");
        List<DiskCommand> a = all(s);
        assertTrue(payloads(a).equals(payloads(all(s))), "same seed, same commands");
        assertTrue(!payloads(a).equals(payloads(all(new WorkloadSpec("w", 8 * MIB, 1 << 20, 20 * MIB, 64 * 1024, 0.5, 0.1,
                4 * MIB, 3, 100, "snap-")))), "another seed, other commands");
        assertInstanceOf(CreateDisk.class, a.get(0).getPayload());
        assertInstanceOf(Snapshot.class, a.get(a.size() - 1).getPayload());
        long written = 0;
        long sinceSnapshot = 0;
        int snapshots = 0;
        int trims = 0;
        int zeros = 0;
        for (DiskCommand c : a) {
            if (c.getPayload() instanceof Write w) {
                int n = w.getData().remaining();
                assertEquals(64 * 1024, n);
                assertTrue(w.getOffset() % 512 == 0 && w.getOffset() + n <= 8 * MIB);
                written += n;
                sinceSnapshot += n;
                byte[] b = new byte[n];
                w.getData().duplicate().get(b);
                if (java.util.Arrays.equals(b, new byte[n])) {
                    zeros++;
                }
            } else if (c.getPayload() instanceof Snapshot sn) {
                snapshots++;
                assertEquals("snap-" + snapshots, sn.getSnapshotId());
                assertTrue(sinceSnapshot <= 4 * MIB + 64 * 1024);
                sinceSnapshot = 0;
            } else if (c.getPayload() instanceof Trim t) {
                trims++;
                assertTrue(t.getOffset() + t.getLength() <= 8 * MIB && t.getLength() > 0 && t.getLength() <= MIB);
            }
        }
        assertEquals(20 * MIB, written);
        assertEquals(5, snapshots, "one per 4 MiB and a final one");
        assertEquals(3, trims);
        assertTrue(zeros > 0, "some all-zero writes");
    }

    @Test
    void writesAboveTheLimitAreRefusedAtTheProducerSide() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WorkloadSpec("w", 8 * MIB,
                1 << 20, MIB, Limits.MAX_WRITE_BYTES + 512, 0.5, 0, 0, 0, 1, "s"));
        assertTrue(e.getMessage().contains("524288"), e.getMessage());
        MockProducer<byte[], byte[]> mock = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        try (WorkloadProducer p = new WorkloadProducer(mock, "t")) {
            e = assertThrows(IllegalArgumentException.class,
                    () -> p.send(DiskCommands.write("d", 0, new byte[Limits.MAX_WRITE_BYTES + 512])));
            assertTrue(e.getMessage().contains("exceeds the limit of 524288 bytes"), e.getMessage());
            assertTrue(mock.history().isEmpty(), "nothing sent");
            assertThrows(IllegalArgumentException.class, () -> p.sendAll(List.of(DiskCommands.write("d", 0, new byte[512]),
                    DiskCommands.write("d", 0, new byte[1 << 20])).iterator()));
            assertEquals(1, mock.history().size(), "commands before the oversized one were sent");
            assertEquals("d", new String(mock.history().get(0).key()));
        }
    }

    @Test
    void differencesTurnTheDiskIntoTheRawImage() throws Exception {
        long size = 4 * MIB;
        DiskModel model = new DiskModel("d", size);
        Random r = new Random(5);
        try (DiskLayers layers = DiskLayers.under(work.resolve("layers"), 4)) {
            long[] offset = {0};
            Iterator<DiskCommand> it = List.of(DiskCommands.create("d", size, 1 << 20),
                    DiskCommands.write("d", 0, bytes(r, 300 * 1024)), DiskCommands.snapshot("d", "s1", null),
                    DiskCommands.write("d", MIB, bytes(r, 64 * 1024))).iterator();
            while (it.hasNext()) {
                DiskCommand c = it.next();
                layers.apply(c, new Position("t", 0, offset[0]++, 0), false, o -> assertTrue(!(o instanceof Outcome.Rejected)));
                model.apply(c);
            }
            layers.sync();
            // the raw image: the disk's content with a few changes, one of them longer than a Write may carry
            byte[] raw = model.content().clone();
            byte[] big = bytes(r, 1300 * 1024);
            System.arraycopy(big, 0, raw, (int) (2 * MIB), big.length);
            raw[512 * 7 + 3] ^= 1;
            raw[(int) size - 1] ^= 1;
            Path rawFile = work.resolve("image.raw");
            Files.write(rawFile, raw);
            Path top = work.resolve("layers").resolve("d").resolve("0001.vhd");
            List<DiskCommand> diffs = Workloads.differences("d", rawFile, top, Limits.MAX_WRITE_BYTES);
            long bytes = 0;
            for (DiskCommand c : diffs) {
                Write w = (Write) c.getPayload();
                assertTrue(w.getData().remaining() <= Limits.MAX_WRITE_BYTES);
                bytes += w.getData().remaining();
                layers.apply(c, new Position("t", 0, offset[0]++, 0), false, o -> assertInstanceOf(Outcome.Applied.class, o));
            }
            assertEquals(5, diffs.size(), "sector 7, three pieces of the 1300 KiB run, the last sector");
            assertEquals(512 + 1300 * 1024 + 512, bytes);
            layers.sync();
            Layers.assertSameContent(raw, Layers.read(top), "disk after the differences");
            assertTrue(Workloads.differences("d", rawFile, top, Limits.MAX_WRITE_BYTES).isEmpty());
        }
    }

    /** Commands without their issue time (the one thing that differs between two generations). */
    static List<Object> payloads(List<DiskCommand> cs) {
        return cs.stream().map(c -> (Object) List.of(c.getDiskId(), c.getPayload())).toList();
    }

    static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
