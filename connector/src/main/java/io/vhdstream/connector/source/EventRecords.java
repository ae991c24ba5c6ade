package io.vhdstream.connector.source;

import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.connector.convert.RecordFormat;
import io.vhdstream.connector.offset.LayerOffset;
import io.vhdstream.schemas.block.BlockEvent;
import io.vhdstream.schemas.block.SourceError;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * How a source task's events become Connect records: the topic each goes to, its key (the disk id) and its value
 * format. A disk's records carry the disk's offset after them; errors carry none.
 */
final class EventRecords {
    private final String topic;
    private final String errorsTopic;
    private final RecordFormat format;

    EventRecords(VhdSourceConnectorConfig config, RecordFormat format) {
        this.topic = config.topic();
        this.errorsTopic = config.errorsTopic();
        this.format = format;
    }

    RecordFormat format() {
        return format;
    }

    /** An event of disk {@code d}; {@code at} is the disk's offset after it. */
    SourceRecord event(SourceDisk d, LayerOffset at, Object payload) {
        BlockEvent event = new BlockEvent(payload);
        return framed(d, at, format.value(event));
    }

    /** A value already encoded (a ChangedBlock read straight into its Avro frame). */
    SourceRecord framed(SourceDisk d, LayerOffset at, Object value) {
        return new SourceRecord(d.partition, at.toMap(), topic, null, BlockEvents.KEY_SCHEMA, d.diskId, format.valueSchema(),
                value);
    }

    /** A SourceError on the error topic, keyed by its disk, or by its path when it has none. */
    SourceRecord error(String diskId, ScanProblem p) {
        String path = p.path().isEmpty() ? p.root() : p.path();
        BlockEvent event = new BlockEvent(new SourceError(diskId, path, p.reasonCode(), p.message()));
        String key = diskId != null ? diskId : path;
        return new SourceRecord(null, null, errorsTopic, null, BlockEvents.KEY_SCHEMA, key, format.valueSchema(),
                format.value(event));
    }
}
