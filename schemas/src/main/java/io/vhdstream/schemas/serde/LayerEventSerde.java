package io.vhdstream.schemas.serde;

import io.vhdstream.schemas.layer.LayerEvent;

/**
 * {@link AvroSerde} for {@link LayerEvent}, with a no-argument constructor so that it can be named in
 * Kafka configuration ({@code value.serializer}, {@code value.deserializer},
 * {@code default.value.serde}).
 */
public class LayerEventSerde extends AvroSerde<LayerEvent> {

    public LayerEventSerde() {
        super(LayerEvent.class);
    }
}
