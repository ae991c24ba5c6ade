package io.vhdstream.schemas.serde;

import io.vhdstream.schemas.block.BlockEvent;

/**
 * {@link AvroSerde} for {@link BlockEvent}, with a no-argument constructor so that it can be named in
 * Kafka configuration ({@code value.serializer}, {@code value.deserializer},
 * {@code default.value.serde}).
 */
public class BlockEventSerde extends AvroSerde<BlockEvent> {

    public BlockEventSerde() {
        super(BlockEvent.class);
    }
}
