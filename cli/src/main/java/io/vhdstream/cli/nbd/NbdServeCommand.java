package io.vhdstream.cli.nbd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.cli.kafka.CommandTopicOptions;
import io.vhdstream.cli.kafka.KafkaClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code vhdstream nbd serve}: the NBD server, until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve disks over NBD (nbd://127.0.0.1:10809/EXPORT) until stopped (SIGTERM or Ctrl-C: exit 0).",
            "Exports: DISK (--create DISK=SIZE or --disk DISK) is read-write: every WRITE, WRITE_ZEROES and TRIM becomes a",
            "Write or Trim command on the command topic, FLUSH and FUA return once Kafka acknowledged every earlier write,",
            "reads see the writes (also after a restart: local state is rebuilt from the log). DISK@SNAPSHOT is a sealed",
            "snapshot found under a --layers directory, read-only, read through its layer chain.",
            "Snapshots of read-write disks: --snapshot-every, or 'vhdstream nbd snapshot' (a loopback admin endpoint on",
            "the NBD port + 1). Listening on an address other than loopback needs TLS (--tls-cert/--tls-key) or",
            "--insecure-plaintext. A --config file may set nbd.listen, nbd.layers, nbd.state.dir, nbd.snapshot.every,",
            "nbd.tls.cert, nbd.tls.key and any Kafka client property; flags win over it."})
public final class NbdServeCommand extends VerbCommand {
    @Option(names = "--config", paramLabel = "FILE", description = "Properties: nbd.* settings and Kafka client settings.")
    Path config;

    @Mixin
    KafkaClientOptions kafka;

    @Mixin
    CommandTopicOptions topic;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to listen on (default 127.0.0.1:10809).")
    String listen;

    @Option(names = "--create", paramLabel = "DISK=SIZE",
            description = "Serve DISK read-write, creating it (CreateDisk) with SIZE (512-byte multiple; K, M, G, T suffixes) if the log lacks it (repeatable).")
    List<String> create = new ArrayList<>();

    @Option(names = "--disk", paramLabel = "DISK", description = "Serve an existing DISK read-write (repeatable).")
    List<String> disks = new ArrayList<>();

    @Option(names = "--layers", paramLabel = "DIR",
            description = "A layer directory (the topology's layers.dir, or one disk's, as 'rebuild --out' writes) whose sealed snapshots are exported as DISK@SNAPSHOT (repeatable).")
    List<Path> layers = new ArrayList<>();

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Local state of read-write disks (default ./nbd-state).")
    Path stateDir;

    @Option(names = "--snapshot-every", paramLabel = "DURATION",
            description = "Snapshot each changed read-write disk this often (30s, 5m, 1h, or ISO-8601 like PT15M).")
    String snapshotEvery;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate (chain): TLS is then required (NBD_OPT_STARTTLS).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--insecure-plaintext",
            description = "Allow plaintext on a non-loopback address: anyone who can connect reads and writes every export.")
    boolean insecurePlaintext;

    @Override
    public Integer call() throws Exception {
        NbdServeRun.Options o = NbdServeRun.Options.resolve(config, listen, create, disks, layers, stateDir, snapshotEvery,
                tlsCert, tlsKey, insecurePlaintext, topic.topic());
        if (!o.create().isEmpty() || !o.disks().isEmpty()) {
            // the cluster and the topic first: one line within seconds, not the producer's metadata timeout
            NbdServeRun.run(o, io.vhdstream.cli.kafka.CommandLog.checked(o.kafkaSettings(kafka.settings(), kafka.sources()),
                    o.topic(), kafka::progress), out());
        } else {
            NbdServeRun.run(o, java.util.Map.of(), out());
        }
        return 0;
    }

    static CliException usage(String message) {
        return CliException.usage("USAGE", message);
    }
}
