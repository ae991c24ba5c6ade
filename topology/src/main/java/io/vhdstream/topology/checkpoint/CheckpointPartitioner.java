package io.vhdstream.topology.checkpoint;

import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.StreamPartitioner;

import java.util.Optional;
import java.util.Set;

/**
 * Sends a checkpoint record to the partition its key names: the disk's command partition, so the task that owns
 * the disk reads its checkpoints from the same partition number.
 */
public final class CheckpointPartitioner implements StreamPartitioner<byte[], byte[]> {
    @Override
    public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, int numPartitions) {
        int p = CheckpointKeys.parse(key).partition();
        if (p >= numPartitions) {
            throw new StreamsException("topic " + topic + " has " + numPartitions + " partitions, fewer than the command"
                    + " topic (a checkpoint for its partition " + p + "): give it as many partitions as the command topic");
        }
        return Optional.of(Set.of(p));
    }
}
