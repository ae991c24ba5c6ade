package io.vhdstream.cli.kafka;

import io.vhdstream.cli.Cli;
import io.vhdstream.cli.Terminal;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.DiskTopology;
import io.vhdstream.topology.config.ClusterConnection;
import io.vhdstream.topology.config.ClusterProblem;
import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.disk.DiskLayers;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.disk.Retention;
import io.vhdstream.topology.produce.DiskCommands;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * What {@code vhdstream topology} loads on its way to RUNNING and through its first commands, done once without
 * a cluster, so that the launcher can record those classes and start the topology from a class-data-sharing
 * archive of them (as {@code StartupTraining} does for the VHD commands). Parsing, verifying and laying out
 * ~5,000 Kafka, Streams, Avro and engine classes is most of a start's CPU time: measured on the shared 2-core
 * machine, an archive halved the CPU time to RUNNING (docs/benchmarks.md). Nothing here changes behaviour; a
 * class missing from it only loads a little slower.
 *
 * <p>Usage: {@code java -cp vhdstream-cli.jar io.vhdstream.cli.kafka.TopologyTraining}; exit 0 when every step
 * ran, 1 otherwise.
 */
public final class TopologyTraining {
    private TopologyTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("vhdstream-topology-training");
        int status = 0;
        try {
            run(dir);
        } catch (Exception e) {
            System.err.println("vhdstream topology training: " + e);
            status = 1;
        } finally {
            io.vhdstream.vhd.io.Directories.deleteTree(dir);
        }
        System.exit(status);   // without waiting for Kafka clients' daemon threads
    }

    /** Runs every step in {@code dir} (empty); throws if one fails. */
    public static void run(Path dir) throws Exception {
        // The verb and its options, as the command line reaches them.
        Terminal t = new Terminal(new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream(), false);
        if (Cli.run(t, "topology", "--help") != 0) {
            throw new IOException("topology --help failed");
        }
        Properties p = new Properties();
        p.putAll(TopologyConfig.streamsDefaults());
        p.put("application.id", "vhdstream-training");
        p.put("bootstrap.servers", "127.0.0.1:" + closedPort());
        p.put("state.dir", dir.resolve("state").toString());
        p.put(TopologyConfig.LAYERS_DIR_CONFIG, dir.resolve("layers").toString());
        TopologyConfig config = TopologyConfig.of(p);

        // The cluster check's admin client, against a port nobody listens on: it gives up at once.
        try (ClusterConnection c = ClusterConnection.open(new StreamsConfig(config.streamsProperties())
                .getAdminConfigs("vhdstream-training"), Duration.ofMillis(200), line -> { })) {
            c.admin();
        } catch (ClusterProblem expected) {
            // nothing answers
        }
        // The application: its topology, clients and state directory; never started. Twice: the second one reads
        // the process file (JSON) the first one wrote, as every restart does.
        for (int i = 0; i < 2; i++) {
            try (KafkaStreams streams = new KafkaStreams(DiskTopology.build(config), config.streamsProperties())) {
                streams.close(Duration.ofSeconds(10));
            }
        }
        // What the first answers from a broker load: every error (Errors' constants name their exceptions) and
        // the request and response classes of the API (only loaded here, not initialized).
        Errors.values();
        for (ApiKeys k : ApiKeys.values()) {
            for (String kind : List.of("Request", "Response")) {
                try {
                    Class.forName("org.apache.kafka.common.requests." + k.name + kind, false,
                            TopologyTraining.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    // an API without a class of that name
                }
            }
        }
        // The layer store's command path: create, write, snapshot, write into the next layer.
        byte[] block = new byte[64 * 1024];
        block[0] = 1;
        String disk = "training";
        byte[] key = disk.getBytes(StandardCharsets.UTF_8);
        var serde = AvroSerdes.diskCommand();
        try (DiskLayers layers = DiskLayers.under(dir.resolve("layers"), 4, Retention.DEFAULT)) {
            var commands = List.of(DiskCommands.create(disk, 64L << 20, 2 << 20),
                    DiskCommands.write(disk, 0, block), DiskCommands.snapshot(disk, "s1", "training"),
                    DiskCommands.write(disk, 1 << 20, block));
            long offset = 0;
            for (var c : commands) {
                layers.applyRecord(key, serde.serialize("training", c), new Position("training", 0, offset++,
                        System.currentTimeMillis()), false, DiskLayers.DISCARD);
            }
            layers.sync();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
