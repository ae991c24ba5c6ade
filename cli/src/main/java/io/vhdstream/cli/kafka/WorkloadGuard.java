package io.vhdstream.cli.kafka;

import io.vhdstream.cli.CliException;
import io.vhdstream.topology.catalog.DiskCatalog;
import io.vhdstream.topology.catalog.DiskInfo;
import io.vhdstream.topology.catalog.SnapshotInfo;
import io.vhdstream.topology.config.ClusterConnection;
import io.vhdstream.topology.config.TopicChecks;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps {@code produce workload} from writing into a disk by accident: a workload starts with CreateDisk, which
 * the topology rejects for a disk that exists, and its Writes would then land in the live disk. The layers topic
 * says which disks have snapshots (a disk with none yet, or a topology that has not caught up, is not seen).
 */
final class WorkloadGuard {
    private WorkloadGuard() {
    }

    /**
     * Refuses (DISK_EXISTS) a workload for a disk the layers topic knows, unless {@code append}; refuses
     * (DUPLICATE_SNAPSHOT) an appended workload whose snapshot ids could repeat one of the disk's. Does nothing when
     * the layers topic does not exist.
     */
    static Map<String, Object> check(KafkaClientOptions kafka, String commandsTopic, String layersTopic, String disk,
                                     boolean append, String snapshotPrefix) throws IOException {
        var settings = kafka.clientSettings();
        // one connection for both: the command topic must exist, the layers topic may
        try (ClusterConnection c = ClusterConnection.open(settings, ClusterConnection.COMMAND_WAIT, kafka::progress)) {
            TopicChecks.requireExists(c.admin(), commandsTopic);
            Set<String> topics = c.admin().listTopics().names().get();
            if (!topics.contains(layersTopic)) {
                return settings;
            }
        } catch (java.util.concurrent.ExecutionException e) {
            return settings;   // not allowed to list topics: no way to tell
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        check(DiskCatalog.fromLayersTopic(settings, layersTopic), layersTopic, disk, append, snapshotPrefix);
        return settings;
    }

    private static void check(List<DiskInfo> disks, String layersTopic, String disk, boolean append, String snapshotPrefix) {
        DiskInfo known = disks.stream()
                .filter(d -> d.diskId().equals(disk) && !d.deleted()).findFirst().orElse(null);
        if (known == null) {
            return;
        }
        List<String> ids = known.snapshots().stream().map(SnapshotInfo::snapshotId).toList();
        if (!append) {
            throw CliException.failure("DISK_EXISTS", "disk '" + disk + "' already exists with " + ids.size()
                    + " snapshot" + (ids.size() == 1 ? "" : "s") + " (" + String.join(", ", ids) + ", in " + layersTopic
                    + "): a workload would be rejected as a new disk and its writes would change the existing one; give"
                    + " --append to add writes and snapshots to it, or another --disk");
        }
        for (String id : ids) {
            if (id.startsWith(snapshotPrefix) && id.substring(snapshotPrefix.length()).matches("[0-9]+")) {
                throw CliException.failure("DUPLICATE_SNAPSHOT", "disk '" + disk + "' has snapshot " + id
                        + " already: give --snapshot-prefix another prefix than '" + snapshotPrefix + "'");
            }
        }
    }
}
