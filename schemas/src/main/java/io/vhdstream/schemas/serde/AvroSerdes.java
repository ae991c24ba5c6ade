package io.vhdstream.schemas.serde;

import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.checkpoint.Checkpoint;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.deadletter.DeadLetter;
import io.vhdstream.schemas.layer.LayerEvent;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** The serdes of the project's topics. Each call returns a new instance. */
public final class AvroSerdes {

    private AvroSerdes() {
    }

    /** Keys of every topic: the disk id as a UTF-8 string. */
    public static Serde<String> diskIdKey() {
        return Serdes.String();
    }

    /** Values of the command (input) topic. */
    public static AvroSerde<DiskCommand> diskCommand() {
        return new DiskCommandSerde();
    }

    /** Values of the layers topic. */
    public static AvroSerde<LayerEvent> layerEvent() {
        return new LayerEventSerde();
    }

    /** Values of the changed-block topic. */
    public static AvroSerde<BlockEvent> blockEvent() {
        return new BlockEventSerde();
    }

    /** Values of the checkpoint topic (the layer stores' base layers and disk metadata). */
    public static AvroSerde<Checkpoint> checkpoint() {
        return new CheckpointSerde();
    }

    /** Values of the dead-letter topic. */
    public static AvroSerde<DeadLetter> deadLetter() {
        return new DeadLetterSerde();
    }
}
