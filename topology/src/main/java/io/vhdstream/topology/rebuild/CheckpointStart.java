package io.vhdstream.topology.rebuild;

import io.vhdstream.topology.checkpoint.CheckpointLoader;
import io.vhdstream.topology.disk.FileOps;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.topology.recovery.KafkaCheckpointLog;
import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where a rebuild starts when retention has deleted the start of the command partition: the disk's base as the
 * checkpoint topic holds it (the snapshot the base captures, published by the topology), then the commands after it.
 */
final class CheckpointStart {
    /**
     * @param replayFrom the first input offset whose effects the loaded base does not hold
     * @param base       the sealed line of the snapshot the base holds (the oldest rebuildable point)
     */
    record Start(long replayFrom, SealedLayer base) {
    }

    private CheckpointStart() {
    }

    /**
     * Loads the checkpoint of {@code diskId} (command partition {@code input}) into the empty directory {@code out};
     * null, leaving {@code out} untouched, if the topic holds no base of the disk.
     */
    static Start load(Map<String, Object> clientSettings, String topic, TopicPartition input, String diskId, Path out)
            throws IOException {
        Path work = out.toAbsolutePath().getParent().resolve("." + out.getFileName() + ".checkpoint.tmp");
        FileOps.deleteTree(work);
        try (KafkaCheckpointLog log = KafkaCheckpointLog.open(clientSettings, topic)) {
            CheckpointLoader.Loaded l = CheckpointLoader.load(log, input, work, (chunks, bytes) -> { }, diskId::equals);
            if (l == null || !l.bases().containsKey(diskId)) {
                return null;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(work.resolve(LayerNames.diskDir(diskId)))) {
                for (Path f : files) {
                    Files.move(f, out.resolve(f.getFileName()));
                }
            }
            List<SealedLayer> sealed = SealedLayer.readAll(out.resolve(LayerNames.SEALED));
            return new Start(l.replayFrom(), sealed.get(sealed.size() - 1));
        } finally {
            FileOps.deleteTree(work);
        }
    }
}
