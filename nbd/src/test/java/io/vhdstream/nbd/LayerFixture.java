package io.vhdstream.nbd;

import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.disk.Retention;
import io.vhdstream.topology.produce.DiskCommands;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A layer directory made by the topology's own {@link DiskLayers} from commands, and the model of the disk:
 * its bytes at every snapshot. Each snapshot's writes land in a few random places; the rest stays holes.
 */
final class LayerFixture {
    final String disk;
    final long size;
    final Map<String, byte[]> snapshots = new LinkedHashMap<>();

    private LayerFixture(String disk, long size) {
        this.disk = disk;
        this.size = size;
    }

    static LayerFixture build(Path layersDir, String disk, int sizeMiB, int snapshotCount, long seed) throws IOException {
        return build(layersDir, disk, sizeMiB, snapshotCount, seed, Retention.DEFAULT);
    }

    /** With a retention window: seals past it merge the oldest layers into the base, as the topology does. */
    static LayerFixture build(Path layersDir, String disk, int sizeMiB, int snapshotCount, long seed, Retention retention)
            throws IOException {
        LayerFixture f = new LayerFixture(disk, sizeMiB * 1024L * 1024);
        byte[] model = new byte[(int) f.size];
        Random rnd = new Random(seed);
        long offset = 0;
        try (DiskLayers layers = DiskLayers.under(layersDir, 4, retention)) {
            layers.apply(DiskCommands.create(disk, f.size, 2 * 1024 * 1024), pos(offset++), false, DiskLayers.DISCARD);
            for (int s = 1; s <= snapshotCount; s++) {
                for (int w = 0; w < 6; w++) {
                    int sectors = 1 + rnd.nextInt(256);
                    long at = (long) rnd.nextInt((int) (f.size / 512 - sectors)) * 512;
                    byte[] data = new byte[sectors * 512];
                    rnd.nextBytes(data);
                    System.arraycopy(data, 0, model, (int) at, data.length);
                    layers.apply(DiskCommands.write(disk, at, data), pos(offset++), false, DiskLayers.DISCARD);
                }
                if (s % 2 == 0) {   // a trim now and then: zeros that read through a differencing layer
                    long at = (long) rnd.nextInt((int) (f.size / 512 - 64)) * 512;
                    Arrays.fill(model, (int) at, (int) at + 64 * 512, (byte) 0);
                    layers.apply(DiskCommands.trim(disk, at, 64 * 512), pos(offset++), false, DiskLayers.DISCARD);
                }
                layers.apply(DiskCommands.snapshot(disk, "s" + s, null), pos(offset++), false, DiskLayers.DISCARD);
                f.snapshots.put("s" + s, model.clone());
            }
            layers.sync();
        }
        return f;
    }

    private static Position pos(long offset) {
        return new Position("vhdstream-commands", 0, offset, 1_700_000_000_000L + offset * 1000);
    }
}
