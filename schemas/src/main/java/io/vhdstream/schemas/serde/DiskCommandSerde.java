package io.vhdstream.schemas.serde;

import io.vhdstream.schemas.command.DiskCommand;

/**
 * {@link AvroSerde} for {@link DiskCommand}, with a no-argument constructor so that it can be named in
 * Kafka configuration ({@code value.serializer}, {@code value.deserializer},
 * {@code default.value.serde}).
 */
public class DiskCommandSerde extends AvroSerde<DiskCommand> {

    public DiskCommandSerde() {
        super(DiskCommand.class);
    }
}
