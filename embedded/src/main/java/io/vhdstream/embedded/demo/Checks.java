package io.vhdstream.embedded.demo;

import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.MergeRecord;
import io.vhdstream.topology.disk.Retention;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.topology.rebuild.RebuildPoint;
import io.vhdstream.topology.rebuild.Rebuilder;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.check.CheckReport;
import io.vhdstream.vhd.check.VhdChecker;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The verification the demo and the soak share: each stage's output (the layer chain, the replica, rebuilds
 * from the log, the retention window) against the model of the disk, collected as named checks.
 */
final class Checks {
    /** One verified claim and whether it held. */
    record Check(String what, boolean ok, String detail) {
    }

    private final List<Check> checks = new ArrayList<>();
    private final String label;

    /** @param label put before each claim (a disk's name when several are checked; "" for none) */
    Checks(String label) {
        this.label = label;
    }

    void check(String what, boolean ok, String detail) {
        checks.add(new Check(label + what, ok, detail));
    }

    boolean allOk() {
        return checks.stream().allMatch(Check::ok);
    }

    void print(PrintWriter out) {
        for (Check c : checks) {
            out.printf("  %-4s %-58s %s%n", c.ok() ? "OK" : "FAIL", c.what(), c.detail());
        }
    }

    /** The window held: merges happened as the retention says, and the chain never got deeper than it allows. */
    void retention(List<SealedLayer> all, List<MergeRecord> merges, int retain) {
        int maxDepth = 1;
        int m = 0;
        int level = 0;
        for (SealedLayer s : all) {
            while (m < merges.size() && merges.get(m).decidedAt() <= s.sealOffset()) {
                level = merges.get(m++).toIndex();
            }
            maxDepth = Math.max(maxDepth, s.layerIndex() - level + 2);   // base .. this layer, plus the active one
        }
        int retained = all.size() - level;
        int allowed = retain + 1;
        check("retention kept " + Math.min(retain, all.size()) + " snapshots, chain depth stayed <= " + allowed,
                maxDepth <= allowed && retained == Math.min(retain, all.size()),
                merges.size() + " merges into the base, max depth " + maxDepth + ", " + retained + " retained");
    }

    void chain(Model model, Path diskDir, List<SealedLayer> sealed, int snapshots) throws IOException {
        int ok = 0;
        for (int i = 0; i < sealed.size(); i++) {
            SealedLayer l = sealed.get(i);
            byte[] want = model.digests().get(l.snapshotId());
            Path top = diskDir.resolve(i == 0 ? LayerNames.BASE : l.fileName());   // the oldest retained is in the base
            if (want != null && Arrays.equals(want, Digests.chainDigest(top))) {
                ok++;
            }
        }
        check("materialised chain equals the model at every retained snapshot", ok == sealed.size()
                && model.digests().size() == snapshots, ok + "/" + sealed.size() + " retained of "
                + model.digests().size() + " snapshots");
    }

    /** @param level the source's merge level: the highest layer index merged into its base (0: none) */
    void replica(Model model, Path replicaDiskDir, List<SealedLayer> sealed, int level, int retain) throws IOException {
        Map<Integer, Path> byIndex = Replicas.layers(replicaDiskDir);
        int replicaLevel = Replicas.level(replicaDiskDir);
        int files = byIndex.size();
        check("replica followed the merges, chain depth <= " + (retain + 1), replicaLevel == level && files <= retain + 1,
                "replica base holds layer " + replicaLevel + " (source: " + level + "), " + files + " replica layers");
        int ok = 0;
        String problem = "";
        for (SealedLayer l : sealed) {
            // The oldest retained snapshot is in the replica's base once the replica merged up to it, as at the source.
            Path r = byIndex.get(l.layerIndex() == replicaLevel && replicaLevel > 0 ? 0 : l.layerIndex());
            try {
                if (r != null && Arrays.equals(model.digests().get(l.snapshotId()), Digests.chainDigest(r))) {
                    ok++;
                }
            } catch (IOException e) {
                problem = "; " + r.getFileName() + ": " + e.getMessage();
            }
        }
        // Only the snapshots still in the window: older ones were merged away at the source.
        check("replica chain equals the source at every retained snapshot", ok == sealed.size(), ok + "/" + sealed.size()
                + " layers" + problem);
    }

    /** Rebuilds every retained snapshot from the log; returns the seconds it took. */
    double rebuild(Model model, Map<String, Object> client, String diskId, Path dir, List<SealedLayer> sealed,
                   Retention retention) throws IOException {
        long t = System.nanoTime();
        int ok = 0;
        for (SealedLayer l : sealed) {
            Rebuilder.Result r = Rebuilder.rebuild(Rebuilder.Request.of(client, diskId, l.snapshotId(),
                    dir.resolve(LayerNames.encode(l.snapshotId()))).withRetention(retention));
            if (Arrays.equals(model.digests().get(l.snapshotId()), Digests.chainDigest(r.top()))) {
                ok++;
            }
        }
        double seconds = Units.secondsSince(t);
        check("rebuild from the log equals the source at every retained snapshot", ok == sealed.size(),
                ok + "/" + sealed.size() + " snapshots");
        return seconds;
    }

    /** {@code rebuild --at} the given input offsets, each against the model's digest there. */
    void rebuildAt(Map<String, Object> client, String diskId, Path dir, Map<Long, byte[]> points, Retention retention)
            throws IOException {
        int ok = 0;
        for (Map.Entry<Long, byte[]> p : points.entrySet()) {
            Rebuilder.Result r = Rebuilder.rebuild(Rebuilder.Request.of(client, diskId, "-", dir.resolve("at-" + p.getKey()))
                    .withPoint(new RebuildPoint.AtOffset(p.getKey())).withRetention(retention));
            if (Arrays.equals(p.getValue(), Digests.chainDigest(r.top()))) {
                ok++;
            }
        }
        check("rebuild at " + points.size() + " random points equals the model", ok == points.size(),
                ok + "/" + points.size() + " points (offsets " + points.keySet() + ")");
    }

    void everyLayer(Path diskDir, Path replicaDiskDir) throws IOException {
        int layers = 0;
        List<String> bad = new ArrayList<>();
        for (Path dir : List.of(diskDir, replicaDiskDir)) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.filter(f -> f.toString().endsWith(".vhd")).sorted().toList()) {
                    layers++;
                    CheckReport r = VhdChecker.check(p, ChainOptions.forImage(p));
                    if (!r.clean()) {
                        bad.add(p.getFileName() + ": " + r.problems());
                    }
                }
            }
        }
        check("every layer passes check (source and replica)", bad.isEmpty() && layers > 0,
                bad.isEmpty() ? layers + " layers clean" : String.join("; ", bad));
    }
}
