package io.vhdstream.topology.support;

import io.vhdstream.schemas.command.DiskCommand;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.vhdstream.topology.produce.DiskCommands.create;
import static io.vhdstream.topology.produce.DiskCommands.delete;
import static io.vhdstream.topology.produce.DiskCommands.snapshot;
import static io.vhdstream.topology.produce.DiskCommands.trim;
import static io.vhdstream.topology.produce.DiskCommands.write;

/** Command histories for replay tests. */
public final class Histories {
    static final long MIB = 1 << 20;

    private Histories() {
    }

    public static byte[] data(long seed, int len) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A mixed history: two disks, writes, trims, snapshots (one repeated), a deletion, some bad input. */
    public static List<DiskCommand> mixed() {
        Random r = new Random(42);
        List<DiskCommand> cs = new ArrayList<>();
        cs.add(create("a", 8 * MIB, 1 << 20));
        cs.add(create("b", 4 * MIB, 1 << 21));
        int snap = 0;
        for (int i = 0; i < 120; i++) {
            String disk = r.nextBoolean() ? "a" : "b";
            long size = disk.equals("a") ? 8 * MIB : 4 * MIB;
            int kind = r.nextInt(20);
            if (kind < 14) {
                int len = (1 + r.nextInt(64)) * 512;
                long off = (long) r.nextInt((int) ((size - len) / 512)) * 512;
                cs.add(write(disk, off, data(r.nextLong(), len)));
            } else if (kind < 16) {
                cs.add(trim(disk, (long) r.nextInt(1024) * 512, (1 + r.nextInt(256)) * 512L));
            } else if (kind < 18) {
                cs.add(snapshot(disk, "s" + (++snap), i % 3 == 0 ? "label " + i : null));
            } else if (kind == 18) {
                cs.add(write(disk, size, data(1, 512)));            // bad: past the end
            } else {
                cs.add(snapshot(disk, "s" + Math.max(1, snap), null)); // a duplicate (or the first s1)
            }
        }
        cs.add(delete("b", "done"));
        cs.add(write("b", 0, data(2, 512)));                        // bad: deleted
        cs.add(write("a", 0, data(3, 4096)));
        return cs;
    }

}
