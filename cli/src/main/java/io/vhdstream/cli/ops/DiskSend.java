package io.vhdstream.cli.ops;

import io.vhdstream.cli.json.JsonOutput;
import io.vhdstream.cli.kafka.CommandLog;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.produce.WorkloadProducer;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * Sends one command and says where it went. The topology decides on it: a rejected command (a disk that already
 * exists, an unknown disk) shows up in {@code vhdstream dead-letters}. Outside the verb classes so that picocli
 * does not load Kafka's classes when it reflects over verbs.
 */
final class DiskSend {
    private DiskSend() {
    }

    record SentJson(String disk, String command, String topic, int partition, long offset) {
    }

    static int send(DiskSendOptions o, DiskCommand command, String what, PrintWriter out) throws IOException {
        String idProblem = LayerNames.diskIdProblem(o.disk);
        if (idProblem != null) {
            throw io.vhdstream.cli.CliException.usage("INVALID_ARGUMENT", idProblem);
        }
        RecordMetadata md;
        try (WorkloadProducer p = CommandLog.producer(o.kafka, o.topic.topic())) {
            md = WorkloadProducer.await(p.send(command));
        }
        String type = command.getPayload().getClass().getSimpleName();
        if (o.json) {
            JsonOutput.print(out, new SentJson(o.disk, type, md.topic(), md.partition(), md.offset()));
        } else {
            out.println("sent " + type + " " + what + "for disk " + o.disk + " to " + md.topic() + " (partition "
                    + md.partition() + ", offset " + md.offset() + ")");
            out.flush();
        }
        return 0;
    }
}
