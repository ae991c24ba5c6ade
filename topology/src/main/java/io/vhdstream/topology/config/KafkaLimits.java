package io.vhdstream.topology.config;

import io.vhdstream.schemas.Limits;

import java.util.Map;

/**
 * Record size limits, set together so that the largest legitimate record passes every hop: producer
 * ({@code max.request.size}, {@code batch.size}), broker/topic ({@code max.message.bytes}), consumers
 * ({@code max.partition.fetch.bytes}), Streams' internal producer and consumers included. The largest
 * records are a {@code Write} with {@link Limits#MAX_WRITE_BYTES} (512 KiB) of data plus its envelope
 * (&lt; 1 KiB) and a {@code DeadLetter} carrying up to {@link Limits#MAX_DEAD_LETTER_ORIGINAL_BYTES}.
 *
 * <p>The transport limit is 2 MiB, four times the largest legitimate Write: an oversized Write (up to
 * ~2 MiB) still reaches the topology, which rejects it to the dead-letter topic with
 * {@code WRITE_TOO_LARGE}; beyond that the producer refuses it ({@code RecordTooLargeException}), and
 * {@code WorkloadProducer} refuses anything above 512 KiB before sending. config/topology.properties and
 * config/topics.properties state the same values (checked by a test).
 */
public final class KafkaLimits {
    /** Topic {@code max.message.bytes} (and the embedded broker's {@code message.max.bytes}). */
    public static final int MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
    /** Producer {@code max.request.size}: the largest record (and request) a producer sends. */
    public static final int MAX_REQUEST_BYTES = MAX_MESSAGE_BYTES;
    /** Producer {@code batch.size}: two max-size writes, or sixteen 64 KiB ones, per batch. */
    public static final int BATCH_BYTES = 1024 * 1024;
    /**
     * Consumer {@code max.partition.fetch.bytes}: two max-size records per partition and fetch (4 MiB). Larger
     * fetches kept hundreds of MiB of fetched data live across young collections in a multi-partition catch-up
     * (docs/decisions.md, "smaller fetches for the catch-up").
     */
    public static final int FETCH_PARTITION_BYTES = 2 * MAX_MESSAGE_BYTES;
    /**
     * Streams {@code buffered.records.per.partition}: records a task buffers before its partition is paused.
     * Bounds the heap a task's input takes to about this many times the largest write (32 MiB with 512 KiB
     * writes, 4 MiB with 64 KiB ones) instead of Streams' default 1000.
     */
    public static final int BUFFERED_RECORDS_PER_PARTITION = 64;
    /** Consumer {@code fetch.max.bytes}: four partitions' worth of {@link #FETCH_PARTITION_BYTES}. */
    public static final int FETCH_MAX_BYTES = 4 * FETCH_PARTITION_BYTES;
    /**
     * Consumer {@code receive.buffer.bytes} and producer {@code send.buffer.bytes}: -1, the operating
     * system's auto-tuned socket buffers. Kafka's defaults (64 KiB and 128 KiB) are sized for small records:
     * a 16 MiB fetch then trickles through a 64 KiB window and the consumer waits on the socket; the
     * topology benchmark measured its rate nearly doubling with -1.
     */
    public static final int SOCKET_BUFFER_BYTES = -1;
    /** Producer {@code linger.ms}: lets 64 KiB writes fill batches. */
    public static final int LINGER_MS = 5;

    private KafkaLimits() {
    }

    /** Settings for a producer of block-carrying records. */
    public static Map<String, Object> producer() {
        return Map.of("max.request.size", MAX_REQUEST_BYTES, "batch.size", BATCH_BYTES, "linger.ms", LINGER_MS,
                "send.buffer.bytes", SOCKET_BUFFER_BYTES);
    }

    /** Settings for a consumer of block-carrying records. */
    public static Map<String, Object> consumer() {
        return Map.of("max.partition.fetch.bytes", FETCH_PARTITION_BYTES, "fetch.max.bytes", FETCH_MAX_BYTES,
                "receive.buffer.bytes", SOCKET_BUFFER_BYTES);
    }
}
