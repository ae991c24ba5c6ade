package io.vhdstream.schemas.serde;

import io.vhdstream.schemas.checkpoint.Checkpoint;

/** {@link AvroSerde} for {@link Checkpoint}, with a no-argument constructor for Kafka configuration. */
public class CheckpointSerde extends AvroSerde<Checkpoint> {

    public CheckpointSerde() {
        super(Checkpoint.class);
    }
}
