package io.vhdstream.topology.powerloss;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * What a power loss may leave of a directory tree, from the operations recorded by {@link RecordingFs}. At a cut
 * (the operations before it happened, none after), the disk holds:
 * <ul>
 *   <li>of each file, the data written before its last fsync, plus any subset of the writes (and truncates) made
 *   after it, kept or lost in 4 KiB pieces (the page cache writes pages back in any order; a kept piece past the
 *   end extends the file, the gap reads as zeros);</li>
 *   <li>of each directory, the entries (creates, renames, deletes in it) made before its last fsync, plus a prefix
 *   of the ones after it: a journaling file system commits a directory's changes in order, and only a directory
 *   fsync is a barrier for them (a file's fsync does not make its name durable).</li>
 * </ul>
 * Each cut is tried with nothing after the barriers kept, everything kept (a process crash), every shorter prefix of
 * each directory's changes, each file's pending writes dropped alone, and random choices from a fixed seed.
 */
final class PowerCuts {
    static final int PAGE = 4096;

    /** One crash state: regular files (path to bytes) and directories, relative to the root. */
    record State(String label, Map<String, byte[]> files, List<String> dirs) {
        /** Writes the state under {@code dir} (which must not exist). */
        void materialize(Path dir) throws IOException {
            Files.createDirectories(dir);
            for (String d : dirs) {
                Files.createDirectories(dir.resolve(d));
            }
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Files.write(dir.resolve(f.getKey()), f.getValue());
            }
        }
    }

    /** Receives one crash state at a time. */
    @FunctionalInterface
    interface Visitor {
        void crash(State s) throws Exception;
    }

    private static final class Node {
        final boolean dir;
        byte[] durable = new byte[0];
        final List<FsEvent> pending = new ArrayList<>();

        Node(boolean dir) {
            this.dir = dir;
        }
    }

    /** A change of a directory's entries. */
    private record Entry(String from, String to, Node node) {
        void apply(Map<String, Node> ns) {
            if (from != null) {
                ns.remove(from);
            }
            if (to != null) {
                ns.put(to, node);
            }
        }
    }

    private final Map<String, Node> current = new HashMap<>();
    private final Map<String, Node> durable = new HashMap<>();
    private final Map<String, List<Entry>> pendingEntries = new TreeMap<>();

    private PowerCuts() {
        Node root = new Node(true);
        current.put("", root);
        durable.put("", root);
    }

    /**
     * Visits the crash states at each cut in {@code cuts} (an event index: the events before it happened) of a
     * recording that started on an empty root; returns how many states were visited.
     */
    static int visit(List<FsEvent> events, List<Integer> cuts, int randomPerCut, long seed, Visitor v) throws Exception {
        return visit(Map.of(), List.of(), events, cuts, randomPerCut, seed, v);
    }

    /**
     * The same for a recording that started on a root holding {@code files} and {@code dirs} (paths relative to it),
     * all durable (fsynced, and their names too) before the first event.
     */
    static int visit(Map<String, byte[]> files, List<String> dirs, List<FsEvent> events, List<Integer> cuts,
                     int randomPerCut, long seed, Visitor v) throws Exception {
        PowerCuts model = new PowerCuts();
        dirs.forEach(d -> model.existing(d, new Node(true)));
        files.forEach((f, bytes) -> {
            Node n = new Node(false);
            n.durable = bytes;
            model.existing(f, n);
        });
        Random rnd = new Random(seed);
        int done = 0;
        int applied = 0;
        for (int cut : cuts.stream().sorted().distinct().toList()) {
            while (applied < cut) {
                model.apply(events.get(applied++));
            }
            done += model.crashStates("cut " + cut + " (after " + (cut == 0 ? "nothing" : events.get(cut - 1)) + ")",
                    randomPerCut, rnd, v);
        }
        return done;
    }

    /** The cuts worth trying: just before and just after every barrier, rename, create and delete. */
    static List<Integer> interestingCuts(List<FsEvent> events) {
        List<Integer> cuts = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            FsEvent e = events.get(i);
            if (!(e instanceof FsEvent.Write)) {
                cuts.add(i);
                cuts.add(i + 1);
            }
        }
        return cuts.stream().distinct().sorted().toList();
    }

    private void existing(String path, Node n) {
        current.put(path, n);
        durable.put(path, n);
    }

    private void apply(FsEvent e) {
        if (e instanceof FsEvent.Create c) {
            Node n = new Node(c.directory());
            current.put(c.path(), n);
            entries(parent(c.path())).add(new Entry(null, c.path(), n));
        } else if (e instanceof FsEvent.Write w) {
            node(w.path()).pending.add(w);
        } else if (e instanceof FsEvent.Truncate t) {
            node(t.path()).pending.add(t);
        } else if (e instanceof FsEvent.SyncFile s) {
            Node n = node(s.path());
            for (FsEvent p : n.pending) {
                n.durable = applyTo(n.durable, p);
            }
            n.pending.clear();
        } else if (e instanceof FsEvent.SyncDir s) {
            List<Entry> list = entries(s.path());
            list.forEach(en -> en.apply(durable));
            list.clear();
        } else if (e instanceof FsEvent.Rename r) {
            if (!parent(r.from()).equals(parent(r.to()))) {
                throw new IllegalStateException("a rename between directories is not modelled: " + r);
            }
            Node n = current.remove(r.from());
            if (n == null) {
                throw new IllegalStateException("rename of a name that does not exist: " + r);
            }
            current.put(r.to(), n);
            entries(parent(r.to())).add(new Entry(r.from(), r.to(), n));
        } else if (e instanceof FsEvent.Delete d) {
            if (current.remove(d.path()) == null) {
                throw new IllegalStateException("delete of a name that does not exist: " + d);
            }
            entries(parent(d.path())).add(new Entry(d.path(), null, null));
        }
    }

    private Node node(String path) {
        Node n = current.get(path);
        if (n == null) {
            throw new IllegalStateException("a write to a name that does not exist (renamed while open?): " + path);
        }
        return n;
    }

    private List<Entry> entries(String dir) {
        return pendingEntries.computeIfAbsent(dir, k -> new ArrayList<>());
    }

    private static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? "" : path.substring(0, i);
    }

    /** A choice: how many of each directory's pending changes, and which pieces of each file's pending writes. */
    private interface Choice {
        int prefix(String dir, int pending);

        boolean keep(Node file, int piece, int pieces);
    }

    private int crashStates(String where, int randomPerCut, Random rnd, Visitor v) throws Exception {
        List<String> dirs = pendingEntries.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
        List<Node> files = current.values().stream().filter(n -> !n.dir && !n.pending.isEmpty()).toList();
        Map<String, Choice> choices = new LinkedHashMap<>();
        choices.put("nothing after the barriers", choice((d, n) -> 0, (f, p, n) -> false));
        choices.put("everything (a process crash)", choice((d, n) -> n, (f, p, n) -> true));
        for (String d : dirs) {
            for (int j = 0; j < entries(d).size(); j++) {
                int keep = j;
                choices.put("the first " + j + " changes of '" + d + "'", choice((dd, n) -> dd.equals(d) ? keep : n, (f, p, n) -> true));
            }
        }
        IdentityHashMap<Node, String> names = new IdentityHashMap<>();
        current.forEach((k, n) -> names.put(n, k));
        for (Node f : files) {
            choices.put("the unsynced writes of '" + names.get(f) + "' lost", choice((d, n) -> n, (ff, p, n) -> ff != f));
        }
        for (int r = 0; r < randomPerCut; r++) {
            long s = rnd.nextLong();
            Random pick = new Random(s);
            Map<String, Integer> prefixes = new HashMap<>();
            Map<Node, boolean[]> kept = new IdentityHashMap<>();
            choices.put("random " + Long.toHexString(s), choice(
                    (d, n) -> prefixes.computeIfAbsent(d, k -> pick.nextInt(n + 1)),
                    (f, p, n) -> kept.computeIfAbsent(f, k -> randomBits(pick, n))[p]));
        }
        for (Map.Entry<String, Choice> c : choices.entrySet()) {
            v.crash(state(where + ", " + c.getKey(), c.getValue()));
        }
        return choices.size();
    }

    private static boolean[] randomBits(Random r, int n) {
        boolean[] b = new boolean[n];
        for (int i = 0; i < n; i++) {
            b[i] = r.nextBoolean();
        }
        return b;
    }

    private interface Prefix {
        int of(String dir, int pending);
    }

    private interface Keep {
        boolean of(Node file, int piece, int pieces);
    }

    private static Choice choice(Prefix prefix, Keep keep) {
        return new Choice() {
            @Override public int prefix(String dir, int pending) { return prefix.of(dir, pending); }
            @Override public boolean keep(Node file, int piece, int pieces) { return keep.of(file, piece, pieces); }
        };
    }

    private State state(String label, Choice c) {
        Map<String, Node> ns = new HashMap<>(durable);
        for (Map.Entry<String, List<Entry>> e : pendingEntries.entrySet()) {
            int n = c.prefix(e.getKey(), e.getValue().size());
            for (int i = 0; i < n; i++) {
                e.getValue().get(i).apply(ns);
            }
        }
        Map<String, byte[]> files = new TreeMap<>();
        List<String> dirs = new ArrayList<>();
        for (Map.Entry<String, Node> e : new TreeMap<>(ns).entrySet()) {
            String path = e.getKey();
            if (path.isEmpty() || !reachable(ns, parent(path))) {
                continue;   // the root itself, or under a directory whose own entry did not survive
            }
            Node n = e.getValue();
            if (n.dir) {
                dirs.add(path);
                continue;
            }
            byte[] content = n.durable;
            List<FsEvent> pieces = pieces(n.pending);
            for (int p = 0; p < pieces.size(); p++) {
                if (c.keep(n, p, pieces.size())) {
                    content = applyTo(content, pieces.get(p));
                }
            }
            files.put(path, content);
        }
        return new State(label, files, dirs);
    }

    private static boolean reachable(Map<String, Node> ns, String dir) {
        for (String d = dir; !d.isEmpty(); d = parent(d)) {
            Node n = ns.get(d);
            if (n == null || !n.dir) {
                return false;
            }
        }
        return true;
    }

    /** Pending writes cut at page boundaries (truncates stay whole), in order. */
    private static List<FsEvent> pieces(List<FsEvent> pending) {
        List<FsEvent> out = new ArrayList<>();
        for (FsEvent e : pending) {
            if (!(e instanceof FsEvent.Write w)) {
                out.add(e);
                continue;
            }
            long pos = w.position();
            int from = 0;
            while (from < w.data().length) {
                long pageEnd = (pos / PAGE + 1) * PAGE;
                int n = (int) Math.min(w.data().length - from, pageEnd - pos);
                out.add(new FsEvent.Write(w.path(), pos, Arrays.copyOfRange(w.data(), from, from + n)));
                pos += n;
                from += n;
            }
        }
        return out;
    }

    private static byte[] applyTo(byte[] file, FsEvent e) {
        if (e instanceof FsEvent.Truncate t) {
            return Arrays.copyOf(file, (int) t.size());
        }
        FsEvent.Write w = (FsEvent.Write) e;
        long end = w.position() + w.data().length;
        byte[] f = Arrays.copyOf(file, (int) Math.max(file.length, end));
        System.arraycopy(w.data(), 0, f, (int) w.position(), w.data().length);
        return f;
    }
}
