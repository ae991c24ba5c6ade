package io.vhdstream.connector.source;

import io.vhdstream.connector.config.Validators;
import io.vhdstream.connector.convert.RecordFormat;
import io.vhdstream.schemas.Limits;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The source connector's settings: one constant key with its doc and default each, typed getters. */
public final class VhdSourceConnectorConfig extends AbstractConfig {
    private static final String GROUP_INPUT = "Input";
    private static final String GROUP_OUTPUT = "Output";
    private static final String GROUP_TUNING = "Tuning";

    public static final String ROOTS_CONFIG = "roots";
    private static final String ROOTS_DOC = "Directories to watch for VHD chains, comma-separated. Each is scanned"
            + " recursively: a directory with a 'state' or 'sealed' file is a vhdstream layer directory (its sealed"
            + " layers are listed in 'sealed'); any other .vhd/.avhd file belongs to a foreign chain (Hyper-V,"
            + " XenServer/XCP-ng SR, vhd-util, qemu-img), where a layer counts as sealed once another image names it"
            + " as its parent. Parent locators are followed only inside these roots. Every root must exist and be"
            + " readable by the worker.";

    public static final String TOPIC_CONFIG = "topic";
    public static final String TOPIC_DEFAULT = "vhdstream-blocks";
    private static final String TOPIC_DOC = "Topic the changed-block records (StartOfLayer, ChangedBlock, ZeroExtent,"
            + " EndOfLayer) are written to, keyed by disk id.";

    public static final String ERRORS_TOPIC_CONFIG = "errors.topic";
    public static final String ERRORS_TOPIC_DEFAULT = "vhdstream-source-errors";
    private static final String ERRORS_TOPIC_DOC = "Topic that receives a SourceError record for every file under a"
            + " root that cannot be exported (corrupt image, missing parent, broken chain, unreadable); the file is"
            + " skipped and everything else keeps flowing. Keyed by disk id when known, else by the file's path.";

    public static final String CHUNK_SIZE_CONFIG = "chunk.size";
    public static final int CHUNK_SIZE_DEFAULT = Limits.CHUNK_DEFAULT;
    public static final int CHUNK_SIZE_MIN = 4096;
    public static final int CHUNK_SIZE_MAX = 16 << 20;
    private static final String CHUNK_SIZE_DOC = "Most data bytes in one ChangedBlock record. Records are cut at"
            + " multiples of this size on the disk, so chunks line up with the disk's layout. The default keeps"
            + " records under Kafka's 1 MiB defaults even as JSON; above about 700 KiB (JSON) or 1000 KiB (Avro)"
            + " raise the producer's max.request.size, the topic's max.message.bytes and the sink's"
            + " max.partition.fetch.bytes together. A layer being emitted keeps the chunk size it started with.";

    public static final String RECORD_FORMAT_CONFIG = "record.format";
    public static final String RECORD_FORMAT_DEFAULT = RecordFormat.STRUCT.configName();
    private static final String RECORD_FORMAT_DOC = "How record values reach the worker's value.converter. 'struct':"
            + " a Connect Struct mirroring the Avro BlockEvent record, for any converter that carries schemas"
            + " (JsonConverter with schemas.enable=true; JSON inflates block data by a third, base64). 'avro': the"
            + " Avro single-object encoding of BlockEvent as bytes, for ByteArrayConverter: no inflation and no"
            + " schema registry (recommended for block data).";

    public static final String INCLUDE_ACTIVE_LAYER_CONFIG = "include.active.layer";
    public static final boolean INCLUDE_ACTIVE_LAYER_DEFAULT = false;
    private static final String INCLUDE_ACTIVE_LAYER_DOC = "Also emit the leaf (active) layer of foreign chains, if it"
            + " is its parent's only child. Only for images nothing writes any more (a stopped VM, a copied SR): a"
            + " leaf is read as it is when it is reached and never again. vhdstream layer directories never emit"
            + " their active layer. With this on, the connector does not offer exactly-once delivery.";

    public static final String SCAN_INTERVAL_MS_CONFIG = "scan.interval.ms";
    public static final long SCAN_INTERVAL_MS_DEFAULT = 10_000L;
    private static final String SCAN_INTERVAL_MS_DOC = "How often each task rescans the roots for new disks, new"
            + " sealed layers and new problems, when it has nothing else to emit. New disks are picked up without"
            + " restarting the connector.";

    public static final String SCAN_MAX_DEPTH_CONFIG = "scan.max.depth";
    public static final int SCAN_MAX_DEPTH_DEFAULT = 8;
    private static final String SCAN_MAX_DEPTH_DOC = "How many directory levels below each root are scanned.";

    public static final String POLL_MAX_BYTES_CONFIG = "poll.max.bytes";
    public static final int POLL_MAX_BYTES_DEFAULT = 8 << 20;
    private static final String POLL_MAX_BYTES_DOC = "Roughly how many data bytes one poll hands to the worker"
            + " (at least one record). Larger batches mean fewer offset updates; smaller ones free memory sooner.";

    public static final String COMMIT_MAX_BYTES_CONFIG = "commit.max.bytes";
    public static final int COMMIT_MAX_BYTES_DEFAULT = 32 << 20;
    private static final String COMMIT_MAX_BYTES_DOC = "With exactly-once delivery (transaction.boundary=connector),"
            + " a layer is sent in several transactions: one ends once it holds about this many data bytes (or"
            + " commit.max.ms passed), and a restart resumes after the last one committed, in the middle of the"
            + " layer. Short transactions let a restarted worker start quickly: it waits for a dead task's open"
            + " transaction to time out (the producer's transaction.timeout.ms) before it starts anything.";

    public static final String COMMIT_MAX_MS_CONFIG = "commit.max.ms";
    public static final long COMMIT_MAX_MS_DEFAULT = 5_000L;
    private static final String COMMIT_MAX_MS_DOC = "With exactly-once delivery, the longest a transaction stays"
            + " open before the task commits what it sent of the layer so far. Keep it well below the producer's"
            + " transaction.timeout.ms (producer.override.transaction.timeout.ms, 20000 in the shipped"
            + " configuration): a slower send is reported, not retried forever.";

    /** Connector settings, as shown by Connect's validation and in the docs. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(ROOTS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Validators.nonEmptyPathList(), Importance.HIGH,
                    ROOTS_DOC, GROUP_INPUT, 1, Width.LONG, "Root directories")
            .define(INCLUDE_ACTIVE_LAYER_CONFIG, Type.BOOLEAN, INCLUDE_ACTIVE_LAYER_DEFAULT, Importance.LOW,
                    INCLUDE_ACTIVE_LAYER_DOC, GROUP_INPUT, 2, Width.SHORT, "Include active layer")
            .define(SCAN_INTERVAL_MS_CONFIG, Type.LONG, SCAN_INTERVAL_MS_DEFAULT, ConfigDef.Range.between(100, 86_400_000L),
                    Importance.MEDIUM, SCAN_INTERVAL_MS_DOC, GROUP_INPUT, 3, Width.SHORT, "Scan interval (ms)")
            .define(SCAN_MAX_DEPTH_CONFIG, Type.INT, SCAN_MAX_DEPTH_DEFAULT, ConfigDef.Range.between(0, 64),
                    Importance.LOW, SCAN_MAX_DEPTH_DOC, GROUP_INPUT, 4, Width.SHORT, "Scan depth")
            .define(TOPIC_CONFIG, Type.STRING, TOPIC_DEFAULT, new ConfigDef.NonEmptyString(), Importance.HIGH,
                    TOPIC_DOC, GROUP_OUTPUT, 1, Width.MEDIUM, "Changed-block topic")
            .define(ERRORS_TOPIC_CONFIG, Type.STRING, ERRORS_TOPIC_DEFAULT, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    ERRORS_TOPIC_DOC, GROUP_OUTPUT, 2, Width.MEDIUM, "Error topic")
            .define(RECORD_FORMAT_CONFIG, Type.STRING, RECORD_FORMAT_DEFAULT,
                    ConfigDef.CaseInsensitiveValidString.in(RecordFormat.STRUCT.configName(), RecordFormat.AVRO.configName()),
                    Importance.MEDIUM, RECORD_FORMAT_DOC, GROUP_OUTPUT, 3, Width.SHORT, "Record format")
            .define(CHUNK_SIZE_CONFIG, Type.INT, CHUNK_SIZE_DEFAULT,
                    Validators.multipleInRange(CHUNK_SIZE_MIN, CHUNK_SIZE_MAX, Limits.SECTOR), Importance.MEDIUM,
                    CHUNK_SIZE_DOC, GROUP_TUNING, 1, Width.SHORT, "Chunk size (bytes)")
            .define(POLL_MAX_BYTES_CONFIG, Type.INT, POLL_MAX_BYTES_DEFAULT, ConfigDef.Range.between(1, 1 << 30),
                    Importance.LOW, POLL_MAX_BYTES_DOC, GROUP_TUNING, 2, Width.SHORT, "Bytes per poll")
            .define(COMMIT_MAX_BYTES_CONFIG, Type.INT, COMMIT_MAX_BYTES_DEFAULT, ConfigDef.Range.between(1, 1 << 30),
                    Importance.MEDIUM, COMMIT_MAX_BYTES_DOC, GROUP_TUNING, 3, Width.SHORT, "Bytes per transaction")
            .define(COMMIT_MAX_MS_CONFIG, Type.LONG, COMMIT_MAX_MS_DEFAULT, ConfigDef.Range.between(1, 3_600_000L),
                    Importance.MEDIUM, COMMIT_MAX_MS_DOC, GROUP_TUNING, 4, Width.SHORT, "Transaction time (ms)");

    public static final String TASK_ID_CONFIG = "task.id";
    private static final String TASK_ID_DOC = "Set by the connector: this task's number, from 0.";
    public static final String TASK_COUNT_CONFIG = "task.count";
    private static final String TASK_COUNT_DOC = "Set by the connector: how many tasks share the disks. A disk"
            + " belongs to the task numbered murmur2(disk id) mod task.count.";

    /** What a task is given: the connector's settings plus its place among the tasks. */
    public static final ConfigDef TASK_CONFIG_DEF = new ConfigDef(CONFIG_DEF)
            .define(TASK_ID_CONFIG, Type.INT, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(0), Importance.LOW, TASK_ID_DOC)
            .define(TASK_COUNT_CONFIG, Type.INT, ConfigDef.NO_DEFAULT_VALUE, ConfigDef.Range.atLeast(1), Importance.LOW, TASK_COUNT_DOC);

    public VhdSourceConnectorConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
    }

    private VhdSourceConnectorConfig(ConfigDef def, Map<String, String> props) {
        super(def, props);
    }

    public static VhdSourceConnectorConfig forTask(Map<String, String> props) {
        return new VhdSourceConnectorConfig(TASK_CONFIG_DEF, props);
    }

    public List<Path> roots() {
        return getList(ROOTS_CONFIG).stream().map(s -> Path.of(s.trim())).toList();
    }

    public String topic() {
        return getString(TOPIC_CONFIG);
    }

    public String errorsTopic() {
        return getString(ERRORS_TOPIC_CONFIG);
    }

    public int chunkSize() {
        return getInt(CHUNK_SIZE_CONFIG);
    }

    public RecordFormat recordFormat() {
        return RecordFormat.fromConfig(getString(RECORD_FORMAT_CONFIG));
    }

    public boolean includeActiveLayer() {
        return getBoolean(INCLUDE_ACTIVE_LAYER_CONFIG);
    }

    public long scanIntervalMs() {
        return getLong(SCAN_INTERVAL_MS_CONFIG);
    }

    public int scanMaxDepth() {
        return getInt(SCAN_MAX_DEPTH_CONFIG);
    }

    public int pollMaxBytes() {
        return getInt(POLL_MAX_BYTES_CONFIG);
    }

    public int commitMaxBytes() {
        return getInt(COMMIT_MAX_BYTES_CONFIG);
    }

    public long commitMaxMs() {
        return getLong(COMMIT_MAX_MS_CONFIG);
    }

    public int taskId() {
        return getInt(TASK_ID_CONFIG);
    }

    public int taskCount() {
        return getInt(TASK_COUNT_CONFIG);
    }
}
