package io.vhdstream.vhd.testkit;

import io.vhdstream.vhd.io.WriteListener;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A model of what a disk keeps of a file after a power loss. {@link Recorder} records the writes and fsyncs
 * made to one file; {@link #crashStates} then lists the files a power loss may leave: everything written
 * before an fsync returned, plus any subset of the writes made after it (the page cache writes back in any
 * order). A write is kept or lost in pieces of one file page ({@link #PAGE} bytes, aligned), the unit the
 * kernel writes back; a kept piece past the end of the file extends it, and the gap reads as zeros.
 *
 * <p>Segments with up to {@link #EXHAUSTIVE} pieces are tried with every subset; larger ones with every
 * prefix, every "all but one", and {@code randomSubsets} random subsets from a fixed seed.
 */
public final class PowerLoss {
    public static final int PAGE = 4096;
    static final int EXHAUSTIVE = 8;

    private PowerLoss() {
    }

    /** One write, or a barrier (an fsync that returned). */
    public record Event(long position, byte[] data, boolean sync, int op) {
        @Override
        public String toString() {
            return sync ? "fsync" : "write@" + position + "+" + data.length;
        }
    }

    /** Records a file's writes (their bytes) and fsyncs; {@link #op} tags each event with the caller's step. */
    public static final class Recorder implements WriteListener {
        private final List<Event> events = new ArrayList<>();
        public int op;

        @Override
        public void beforeWrite(long position, ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.duplicate().get(b);
            events.add(new Event(position, b, false, op));
        }

        @Override
        public void synced() {
            events.add(new Event(-1, null, true, op));
        }

        public List<Event> events() {
            return events;
        }
    }

    /**
     * What a power loss may leave.
     *
     * @param barrier how many events were on the disk for sure (the last fsync's index + 1, or 0)
     * @param kept    which of the segment's pieces (after the barrier, up to the next fsync) reached the disk
     * @param file    the file's bytes
     * @param firstOp the step the segment starts in: the disk holds the state after step firstOp - 1 or later
     * @param lastOp  the last step with a write in the segment
     */
    public record Crash(int barrier, String kept, byte[] file, int firstOp, int lastOp) {
    }

    /** Receives one crash state at a time (a state is a whole file: they are not all kept). */
    @FunctionalInterface
    public interface Visitor {
        void crash(Crash c) throws IOException;
    }

    /**
     * Hands every crash state of every segment of {@code events}, applied to the file's bytes {@code start}, to
     * {@code visitor}; returns how many there were.
     */
    public static int crashStates(byte[] start, List<Event> events, int randomSubsets, long seed, Visitor visitor)
            throws IOException {
        int count = 0;
        Random rnd = new Random(seed);
        byte[] durable = start;
        int barrier = 0;
        for (int i = 0; i <= events.size(); i++) {
            if (i < events.size() && !events.get(i).sync()) {
                continue;
            }
            // events [barrier, i) are the segment after the last barrier
            List<Event> seg = events.subList(barrier, i);
            if (!seg.isEmpty()) {
                List<Event> pieces = pieces(seg);
                int firstOp = seg.get(0).op();
                int lastOp = seg.get(seg.size() - 1).op();
                for (boolean[] keep : subsets(pieces.size(), randomSubsets, rnd)) {
                    byte[] f = durable;
                    StringBuilder kept = new StringBuilder();
                    for (int p = 0; p < pieces.size(); p++) {
                        if (keep[p]) {
                            f = apply(f, pieces.get(p));
                            kept.append(kept.length() == 0 ? "" : ",").append(pieces.get(p));
                        }
                    }
                    visitor.crash(new Crash(barrier, "[" + kept + "] of " + pieces, f, firstOp, lastOp));
                    count++;
                }
                for (Event e : seg) {
                    durable = apply(durable, e);
                }
            }
            barrier = i + 1;
        }
        return count;
    }

    /** The segment's writes cut at page boundaries, in write order. */
    static List<Event> pieces(List<Event> seg) {
        List<Event> out = new ArrayList<>();
        for (Event e : seg) {
            long pos = e.position();
            int from = 0;
            while (from < e.data().length) {
                long pageEnd = (pos / PAGE + 1) * PAGE;
                int n = (int) Math.min(e.data().length - from, pageEnd - pos);
                out.add(new Event(pos, Arrays.copyOfRange(e.data(), from, from + n), false, e.op()));
                pos += n;
                from += n;
            }
        }
        return out;
    }

    static List<boolean[]> subsets(int m, int randomSubsets, Random rnd) {
        Set<String> seen = new LinkedHashSet<>();
        List<boolean[]> out = new ArrayList<>();
        if (m <= EXHAUSTIVE) {
            for (int mask = 0; mask < 1 << m; mask++) {
                boolean[] k = new boolean[m];
                for (int b = 0; b < m; b++) {
                    k[b] = (mask >> b & 1) != 0;
                }
                out.add(k);
            }
            return out;
        }
        for (int n = 0; n <= m; n++) { // prefixes: a process crash, too
            boolean[] k = new boolean[m];
            Arrays.fill(k, 0, n, true);
            add(out, seen, k);
        }
        for (int skip = 0; skip < m; skip++) {
            boolean[] k = new boolean[m];
            Arrays.fill(k, true);
            k[skip] = false;
            add(out, seen, k);
        }
        for (int r = 0; r < randomSubsets; r++) {
            boolean[] k = new boolean[m];
            for (int b = 0; b < m; b++) {
                k[b] = rnd.nextBoolean();
            }
            add(out, seen, k);
        }
        return out;
    }

    private static void add(List<boolean[]> out, Set<String> seen, boolean[] k) {
        if (seen.add(Arrays.toString(k))) {
            out.add(k);
        }
    }

    private static byte[] apply(byte[] file, Event w) {
        long end = w.position() + w.data().length;
        byte[] f = Arrays.copyOf(file, (int) Math.max(file.length, end));
        System.arraycopy(w.data(), 0, f, (int) w.position(), w.data().length);
        return f;
    }
}
