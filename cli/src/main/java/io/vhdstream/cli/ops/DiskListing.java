package io.vhdstream.cli.ops;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.json.JsonOutput;
import io.vhdstream.cli.kafka.CommandLog;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.cli.util.Text;
import io.vhdstream.topology.catalog.DiskCatalog;
import io.vhdstream.topology.catalog.DiskInfo;
import io.vhdstream.topology.catalog.SnapshotInfo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;

/**
 * Loads the disks for {@code disk list} and {@code disk show} and prints them. Outside the verb classes so that
 * picocli does not load Kafka's classes when it reflects over verbs.
 */
final class DiskListing {
    private DiskListing() {
    }

    static List<DiskInfo> load(DiskSourceOptions o) throws IOException {
        if (o.layers != null) {
            if (!Files.isDirectory(o.layers)) {
                throw CliException.usage("NOT_FOUND", "no such layer directory: " + o.layers);
            }
            return DiskCatalog.fromDirectory(o.layers);
        }
        return DiskCatalog.fromLayersTopic(CommandLog.checked(o.kafka, o.layersTopic), o.layersTopic);
    }

    static String source(DiskSourceOptions o) {
        return o.layers != null ? o.layers.toAbsolutePath().toString() : o.layersTopic;
    }

    static void printList(DiskSourceOptions o, List<DiskInfo> disks, PrintWriter out) {
        if (o.json) {
            JsonOutput.print(out, new DisksJson.ListDocument(source(o), disks.stream().map(DisksJson::of).toList()));
            return;
        }
        for (DiskInfo d : disks) {
            StringBuilder b = new StringBuilder(Text.printable(d.diskId()));
            b.append("  ").append(d.virtualSize() < 0 ? "size unknown" : Sizes.human(d.virtualSize()));
            b.append("  ").append(d.snapshots().size()).append(d.snapshots().size() == 1 ? " snapshot" : " snapshots");
            if (!d.snapshots().isEmpty()) {
                SnapshotInfo last = d.snapshots().get(d.snapshots().size() - 1);
                b.append(" (latest ").append(Text.printable(last.snapshotId())).append(" at ")
                        .append(Instant.ofEpochMilli(last.sealedAt())).append(')');
            }
            if (!d.merged().isEmpty()) {
                b.append("  ").append(d.merged().size()).append(" older merged into the base");
            }
            if (d.deleted()) {
                b.append("  DELETED").append(d.deleteReason() == null ? "" : " (" + Text.printable(d.deleteReason()) + ")");
            }
            out.println(b);
        }
        if (disks.isEmpty()) {
            out.println("no disks in " + source(o));
        }
        out.flush();
    }

    static void printShow(DiskSourceOptions o, DiskInfo d, PrintWriter out) {
        if (o.json) {
            JsonOutput.print(out, new DisksJson.ShowDocument(source(o), DisksJson.of(d)));
            return;
        }
        out.println("disk " + Text.printable(d.diskId()) + (d.deleted() ? "  DELETED" + (d.deleteReason() == null ? ""
                : " (" + Text.printable(d.deleteReason()) + ")") : ""));
        if (d.virtualSize() >= 0) {
            out.println("  size       " + Sizes.withHuman(d.virtualSize()));
        }
        if (d.createdAt() >= 0) {
            out.println("  created    " + Instant.ofEpochMilli(d.createdAt()));
        }
        // A snapshot is its layer file and every layer below it; the file a Snapshot seals captures that snapshot.
        out.println("  snapshots  " + (d.snapshots().isEmpty() ? "none" : d.snapshots().size()
                + " (each is its layer file and the layers below it)"));
        for (SnapshotInfo s : d.snapshots()) {
            out.println("    " + Text.printable(s.snapshotId()) + "  " + Instant.ofEpochMilli(s.sealedAt()) + "  layer "
                    + s.layerIndex() + " " + Text.printable(s.layerFile()) + "  " + Sizes.human(s.fileSize())
                    + (s.label() == null ? "" : "  label \"" + Text.printable(s.label()) + "\""));
        }
        if (!d.merged().isEmpty()) {
            // Retention's merges: the data is still there (in the base), the snapshots are not.
            out.println("  merged     " + String.join(", ", d.merged().stream().map(Text::printable).toList())
                    + " (merged into " + io.vhdstream.topology.disk.LayerNames.BASE + " by retention: no longer restorable on their own)");
        }
        if (!d.layerFiles().isEmpty()) {
            out.println("  " + (d.deleted() ? "deleted layer files " : "layer files ") + String.join(" ",
                    d.layerFiles().stream().map(Text::printable).toList()));
        }
        out.flush();
    }

    /** The disk called {@code id}; NOT_FOUND listing the known ids otherwise. */
    static DiskInfo find(List<DiskInfo> disks, String id, String source) {
        for (DiskInfo d : disks) {
            if (d.diskId().equals(id)) {
                return d;
            }
        }
        List<String> ids = disks.stream().map(DiskInfo::diskId).map(Text::printable).limit(20).toList();
        throw CliException.failure("NOT_FOUND", "no disk '" + Text.printable(id) + "' in " + source + "; known: "
                + (ids.isEmpty() ? "none" : String.join(", ", ids) + (disks.size() > ids.size() ? ", ..." : "")));
    }
}
