package io.vhdstream.topology.produce;

import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/** Command sequences: a seeded synthetic workload, and the writes that turn a disk's content into a raw image's. */
public final class Workloads {
    private Workloads() {
    }

    /** The workload's commands, generated lazily (the data is not held in memory). */
    public static Iterator<DiskCommand> commands(WorkloadSpec spec) {
        return new Generator(spec);
    }

    private static final class Generator implements Iterator<DiskCommand> {
        private final WorkloadSpec s;
        private final SplittableRandom random;
        private final long totalWrites;
        private final long trimEvery;
        private long writesDone;
        private long bytesSinceSnapshot;
        private long cursor;
        private int snapshots;
        private int trimsDone;
        private boolean created;
        private boolean finished;
        private boolean trimDue;
        private DiskCommand next;

        Generator(WorkloadSpec s) {
            this.s = s;
            this.random = new SplittableRandom(s.seed());
            this.totalWrites = (s.totalBytes() + s.writeBytes() - 1) / s.writeBytes();
            this.trimEvery = s.trims() == 0 ? Long.MAX_VALUE : Math.max(1, totalWrites / (s.trims() + 1));
        }

        @Override
        public boolean hasNext() {
            if (next == null && !finished) {
                next = produce();
            }
            return next != null;
        }

        @Override
        public DiskCommand next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            DiskCommand c = next;
            next = null;
            return c;
        }

        private DiskCommand produce() {
            if (!created) {
                created = true;
                return DiskCommands.create(s.diskId(), s.virtualSize(), s.blockSize());
            }
            if (s.snapshotEveryBytes() > 0 && bytesSinceSnapshot >= s.snapshotEveryBytes() && writesDone < totalWrites) {
                bytesSinceSnapshot = 0;
                return snapshot();
            }
            if (trimDue) {
                trimDue = false;
                trimsDone++;
                long sectors = s.virtualSize() / Limits.SECTOR;
                long len = Math.min(sectors, 1 + random.nextLong(2048)) * Limits.SECTOR;
                long off = random.nextLong(sectors - len / Limits.SECTOR + 1) * Limits.SECTOR;
                return DiskCommands.trim(s.diskId(), off, len);
            }
            if (writesDone < totalWrites) {
                writesDone++;
                bytesSinceSnapshot += s.writeBytes();
                if (trimsDone < s.trims() && writesDone % trimEvery == 0) {
                    trimDue = true;
                }
                return write();
            }
            finished = true;
            return snapshot();
        }

        private DiskCommand snapshot() {
            snapshots++;
            return DiskCommands.snapshot(s.diskId(), s.snapshotPrefix() + snapshots, null);
        }

        private DiskCommand write() {
            int len = s.writeBytes();
            long offset;
            if (random.nextDouble() < s.sequentialFraction()) {
                if (cursor + len > s.virtualSize()) {
                    cursor = 0;
                }
                offset = cursor;
            } else {
                offset = random.nextLong((s.virtualSize() - len) / Limits.SECTOR + 1) * Limits.SECTOR;
            }
            cursor = offset + len;
            byte[] data = new byte[len];
            if (random.nextDouble() >= s.zeroFraction()) {
                SplittableRandom r = random.split();
                for (int i = 0; i < len; i += 8) {
                    long v = r.nextLong();
                    for (int k = 0; k < 8; k++) {
                        data[i + k] = (byte) (v >>> (k * 8));
                    }
                }
            }
            return DiskCommands.write(s.diskId(), offset, data);
        }
    }

    /**
     * The Write commands that make the disk whose chain top is {@code chainTop} read like {@code rawImage}:
     * one per run of differing sectors, split at {@code maxWriteBytes}. The raw image must have the disk's size.
     */
    public static List<DiskCommand> differences(String diskId, Path rawImage, Path chainTop, int maxWriteBytes)
            throws IOException {
        if (maxWriteBytes <= 0 || maxWriteBytes % Limits.SECTOR != 0 || maxWriteBytes > Limits.MAX_WRITE_BYTES) {
            throw new IllegalArgumentException("maxWriteBytes " + maxWriteBytes + " must be a positive multiple of "
                    + Limits.SECTOR + " of at most " + Limits.MAX_WRITE_BYTES);
        }
        List<DiskCommand> out = new ArrayList<>();
        try (VhdChain chain = VhdChain.open(chainTop, ChainOptions.forImage(chainTop), false);
             FileChannel raw = FileChannel.open(rawImage, StandardOpenOption.READ)) {
            long size = chain.virtualSize();
            if (raw.size() != size) {
                throw new IllegalArgumentException(rawImage + " has " + raw.size() + " bytes; the disk has " + size);
            }
            int chunk = 4 << 20;
            ByteBuffer a = ByteBuffer.allocate(chunk);
            ByteBuffer b = ByteBuffer.allocate(chunk);
            long runStart = -1;
            ByteBuffer run = ByteBuffer.allocate(maxWriteBytes);
            for (long pos = 0; pos < size; pos += chunk) {
                int n = (int) Math.min(chunk, size - pos);
                a.clear().limit(n);
                b.clear().limit(n);
                readFully(raw, a, pos);
                chain.read(pos, b);
                byte[] ra = a.array();
                byte[] rb = b.array();
                for (int at = 0; at < n; at += Limits.SECTOR) {
                    boolean differs = Arrays.mismatch(ra, at, at + Limits.SECTOR, rb, at, at + Limits.SECTOR) >= 0;
                    if (differs) {
                        if (runStart < 0) {
                            runStart = pos + at;
                        }
                        run.put(ra, at, Limits.SECTOR);
                        if (!run.hasRemaining()) {
                            out.add(flush(diskId, runStart, run));
                            runStart = -1;
                        }
                    } else if (runStart >= 0) {
                        out.add(flush(diskId, runStart, run));
                        runStart = -1;
                    }
                }
            }
            if (runStart >= 0) {
                out.add(flush(diskId, runStart, run));
            }
        }
        return out;
    }

    private static DiskCommand flush(String diskId, long offset, ByteBuffer run) {
        byte[] data = Arrays.copyOf(run.array(), run.position());
        run.clear();
        return DiskCommands.write(diskId, offset, data);
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long at) throws IOException {
        long pos = at;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at " + pos);
            }
            pos += n;
        }
    }
}
