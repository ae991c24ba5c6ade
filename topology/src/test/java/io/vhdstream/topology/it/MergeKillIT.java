package io.vhdstream.topology.it;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.disk.Retention;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.topology.support.DiskModel;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.vhd.coalesce.CoalesceMarker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.vhdstream.topology.produce.DiskCommands.create;
import static io.vhdstream.topology.produce.DiskCommands.snapshot;
import static io.vhdstream.topology.produce.DiskCommands.write;
import static io.vhdstream.topology.support.Histories.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 in the middle of merges: a child JVM applies a history whose seals keep merging layers into the base
 * (retention 2); the parent kills it at several points of a merge (as soon as the coalesce marker appears, and
 * a few milliseconds later: inside the coalesce, the re-link or the deletions), restarts it (it replays the
 * history from the start, as the store does from its committed offset), and finally compares the directory with
 * an uninterrupted run: same files, every retained snapshot reads the same and as the model, every chain clean.
 */
class MergeKillIT {
    static final long SIZE = 16L << 20;
    static final int SNAPSHOTS = 8;
    static final Retention RETAIN = new Retention(2, Retention.DEFAULT_MAX_AGE_MS);

    @TempDir
    Path work;

    /** The history: 16 MiB disk, every snapshot interval rewrites most of it (merges take a while). */
    static List<DiskCommand> history() {
        Random r = new Random(7);
        List<DiskCommand> cmds = new ArrayList<>();
        cmds.add(create("d", SIZE, 2 << 20));
        for (int s = 0; s < SNAPSHOTS; s++) {
            for (int k = 0; k < 16; k++) {
                cmds.add(write("d", (long) r.nextInt(30) * (512 << 10), data(r.nextLong(), 512 << 10)));
            }
            cmds.add(snapshot("d", "s" + s, null));
        }
        return cmds;
    }

    /** Child JVM: applies the whole history to {@code args[0]} (replaying what is there), then exits 0. */
    public static void main(String[] args) throws IOException {
        apply(Path.of(args[0]));
        System.exit(0);
    }

    static void apply(Path layers) throws IOException {
        List<DiskCommand> cmds = history();
        try (DiskLayers l = DiskLayers.under(layers, 4, RETAIN)) {
            for (int i = 0; i < cmds.size(); i++) {
                l.apply(cmds.get(i), new Position("commands", 0, i, 1_700_000_000_000L + i), false, DiskLayers.DISCARD);
            }
            l.sync();
        }
    }

    private Process child(Path layers) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), MergeKillIT.class.getName(), layers.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("child.log").toFile()).start();
    }

    @Test
    void killedAtAnyPointOfAMergeARestartConvergesOnTheUninterruptedResult() throws Exception {
        Path killed = work.resolve("killed");
        Path dir = killed.resolve("d");
        Path marker = CoalesceMarker.of(dir.resolve(LayerNames.BASE));
        int[] delaysMs = {0, 0, 3, 10, 25, 60};
        int midMerge = 0;
        for (int delay : delaysMs) {
            Process p = child(killed);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            // A marker left by the previous kill: let the restart redo that merge first, then wait for a new one.
            while (Files.exists(marker) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            while (!Files.exists(marker) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            if (delay > 0) {
                Thread.sleep(delay);
            }
            if (p.isAlive()) {
                p.destroyForcibly().waitFor();   // SIGKILL
                if (Files.exists(marker) || mergedRangeStillThere(dir)) {
                    midMerge++;
                }
            }
        }
        assertTrue(midMerge >= 3, "kills that cut a merge short: " + midMerge + " of " + delaysMs.length);
        Process last = child(killed);
        assertTrue(last.waitFor(180, TimeUnit.SECONDS), "the restarted child finishes");
        assertEquals(0, last.exitValue(), () -> "child failed: " + read(work.resolve("child.log")));

        Path clean = work.resolve("clean");
        apply(clean);
        assertEquals(vhdFiles(clean.resolve("d")), vhdFiles(dir), "the same layer files");
        assertEquals(Files.readString(clean.resolve("d").resolve(LayerNames.SEALED)),
                Files.readString(dir.resolve(LayerNames.SEALED)), "the same sealed lines");
        assertEquals(Files.readString(clean.resolve("d").resolve("merged")), Files.readString(dir.resolve("merged")),
                "the same merges");
        DiskModel model = new DiskModel("d", SIZE);
        history().forEach(model::apply);
        List<SealedLayer> sealed = SealedLayer.readAll(dir.resolve(LayerNames.SEALED));
        for (int i = sealed.size() - RETAIN.snapshots(); i < sealed.size(); i++) {
            String file = i == sealed.size() - RETAIN.snapshots() ? LayerNames.BASE : sealed.get(i).fileName();
            byte[] got = Layers.read(dir.resolve(file));
            Layers.assertSameContent(Layers.read(clean.resolve("d").resolve(file)), got, "vs uninterrupted at " + file);
            Layers.assertSameContent(model.snapshot(sealed.get(i).snapshotId()), got, "vs model at " + file);
            Layers.assertClean(dir.resolve(file));
        }
        Path active = dir.resolve(LayerNames.activeFile(sealed.size()));
        Layers.assertSameContent(model.content(), Layers.read(active), "the active layer");
        Layers.assertClean(active);
        assertTrue(!Files.exists(marker), "no coalesce left unfinished");
    }

    /** A merged layer's file is still there: the kill came between the journal line and the last deletion. */
    private static boolean mergedRangeStillThere(Path dir) throws IOException {
        Path merged = dir.resolve("merged");
        if (!Files.exists(merged)) {
            return false;
        }
        List<String> lines = Files.readAllLines(merged);
        if (lines.isEmpty()) {
            return false;
        }
        String[] f = lines.get(lines.size() - 1).split(" ");
        List<SealedLayer> sealed = SealedLayer.readAll(dir.resolve(LayerNames.SEALED));
        for (int i = Integer.parseInt(f[1]); i <= Integer.parseInt(f[2]) && i < sealed.size(); i++) {
            if (Files.exists(dir.resolve(sealed.get(i).fileName()))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> vhdFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
