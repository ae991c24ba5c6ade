package io.vhdstream.cli.ops;

import io.vhdstream.cli.StopSignals;
import io.vhdstream.cli.json.JsonOutput;
import io.vhdstream.cli.kafka.CommandLog;
import io.vhdstream.cli.kafka.KafkaClientOptions;
import io.vhdstream.cli.util.Text;
import io.vhdstream.schemas.deadletter.DeadLetter;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.catalog.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the dead-letter topic for {@code vhdstream dead-letters}. Outside the verb class so that picocli does not
 * load Kafka's classes when it reflects over verbs.
 */
final class DeadLettersRun {
    private DeadLettersRun() {
    }

    /** Which dead letters to print: by disk, by reason code (empty: all), and at most how many. */
    record Filter(String disk, List<String> reasons, long max) {
        boolean matches(DeadLetter d) {
            return (disk == null || disk.equals(d.getDiskId()))
                    && (reasons.isEmpty() || reasons.stream().anyMatch(r -> r.equalsIgnoreCase(d.getReasonCode())));
        }
    }

    record DeadLetterJson(String disk, String reason, String message, String rejectedAt, String sourceTopic,
                          int sourcePartition, long sourceOffset, Long originalValueSize, String topic, int partition,
                          long offset) {
    }

    /** Prints the matching dead letters; returns how many. */
    static long run(KafkaClientOptions kafka, String topic, Filter filter, boolean follow, boolean json, PrintWriter out)
            throws IOException {
        var settings = CommandLog.checked(kafka, topic);
        // A follower runs until SIGTERM/Ctrl-C and then exits 0; a bounded one needs no signal handling.
        CountDownLatch stop = follow && filter.max() == Long.MAX_VALUE ? StopSignals.install() : new CountDownLatch(1);
        AtomicLong printed = new AtomicLong();
        var serde = AvroSerdes.deadLetter();
        TopicReader.read(settings, topic, follow, () -> stop.getCount() == 0 || printed.get() >= filter.max(), r -> {
            if (printed.get() >= filter.max()) {
                return;
            }
            DeadLetter d = decode(serde, r);
            if (d != null && filter.matches(d)) {
                print(d, r, json, out);
                printed.incrementAndGet();
            }
        });
        return printed.get();
    }

    private static DeadLetter decode(org.apache.kafka.common.serialization.Deserializer<DeadLetter> serde,
                                     ConsumerRecord<byte[], byte[]> r) {
        try {
            return r.value() == null ? null : serde.deserialize(r.topic(), r.value());
        } catch (SerializationException e) {
            return null;   // the topology is the only writer; anything else is not a dead letter of ours
        }
    }

    private static void print(DeadLetter d, ConsumerRecord<byte[], byte[]> r, boolean json, PrintWriter out) {
        if (json) {
            JsonOutput.print(out, new DeadLetterJson(d.getDiskId(), d.getReasonCode(), d.getMessage(),
                    d.getRejectedAt().toString(), d.getSourceTopic(), d.getSourcePartition(), d.getSourceOffset(),
                    d.getOriginalValueSize(), r.topic(), r.partition(), r.offset()));
            return;
        }
        out.println(d.getRejectedAt() + "  " + (d.getDiskId() == null ? "(no disk)" : "disk " + Text.printable(d.getDiskId()))
                + "  " + d.getReasonCode().toUpperCase(Locale.ROOT) + "  " + d.getSourceTopic() + "-" + d.getSourcePartition()
                + "@" + d.getSourceOffset() + "  " + Text.oneLine(d.getMessage()));
        out.flush();
    }
}
