package io.vhdstream.topology.app;

import io.vhdstream.topology.config.ClusterProblem;
import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.rebuild.Rebuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Refuses to start when the command topic's partition count changed since the layer directory's disks were
 * created: each disk's {@code state} file names the partition its CreateDisk came from, and the default
 * partitioner would now send its commands elsewhere, where every one of them would be rejected as KEY_MISMATCH.
 * Reads one small file per disk, once per start.
 */
final class PartitionCountGuard {
    private PartitionCountGuard() {
    }

    static void check(Path layersDir, String topic, int partitions) throws IOException {
        if (!Files.isDirectory(layersDir)) {
            return;
        }
        try (Stream<Path> disks = Files.list(layersDir)) {
            for (Path dir : (Iterable<Path>) disks::iterator) {
                Path stateFile = dir.resolve(LayerNames.STATE);
                if (dir.getFileName().toString().startsWith(".") || !Files.isRegularFile(stateFile)) {
                    continue;
                }
                DiskState s = DiskState.read(stateFile);
                int now = Rebuilder.partitionOf(s.diskId(), partitions);
                if (s.topic().equals(topic) && s.partition() != now) {
                    throw new ClusterProblem(ClusterProblem.Kind.TOPICS, "topic " + topic + " has " + partitions
                            + " partitions, but disk '" + s.diskId() + "' in " + layersDir + " came from partition "
                            + s.partition() + " and its commands would now go to partition " + now
                            + ": the partition count changed after disks were created (see docs/deployment.md, Topics);"
                            + " give the topic its old partition count or start with an empty layers directory");
                }
            }
        }
    }
}
