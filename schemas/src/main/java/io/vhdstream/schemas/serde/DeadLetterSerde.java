package io.vhdstream.schemas.serde;

import io.vhdstream.schemas.deadletter.DeadLetter;

/**
 * {@link AvroSerde} for {@link DeadLetter}, with a no-argument constructor so that it can be named in
 * Kafka configuration ({@code value.serializer}, {@code value.deserializer},
 * {@code default.value.serde}).
 */
public class DeadLetterSerde extends AvroSerde<DeadLetter> {

    public DeadLetterSerde() {
        super(DeadLetter.class);
    }
}
