package io.vhdstream.cli.nbd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import io.vhdstream.nbd.admin.SnapshotRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;

/** {@code vhdstream nbd snapshot}: asks a running {@code nbd serve} for a consistent snapshot of a disk. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = {"Ask a running 'vhdstream nbd serve' (on this host) for a snapshot of a read-write disk: a Snapshot",
            "command after every write the server sent so far. Returns once Kafka acknowledged it; prints its offset."})
public final class NbdSnapshotCommand extends VerbCommand {
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = NbdServeRun.DEFAULT_LISTEN,
            description = "The server's NBD address (default ${DEFAULT-VALUE}); its admin endpoint is 127.0.0.1 on the next port.")
    String listen;

    @Option(names = "--admin", paramLabel = "HOST:PORT", description = "The admin endpoint itself, if not the NBD port + 1.")
    String admin;

    @Option(names = "--disk", required = true, paramLabel = "DISK", description = "The read-write disk.")
    String disk;

    @Option(names = "--id", required = true, paramLabel = "SNAPSHOT", description = "The snapshot id (unique per disk).")
    String id;

    @Option(names = "--label", paramLabel = "TEXT", description = "A free-text label carried into LayerSealed.")
    String label;

    @Override
    public Integer call() {
        InetSocketAddress a = admin != null ? NbdServeRun.address(admin)
                : new InetSocketAddress("127.0.0.1", NbdServeRun.address(listen).getPort() + 1);
        SnapshotRequest.Answer answer;
        try {
            answer = SnapshotRequest.send(a, disk, id, label);
        } catch (IOException e) {
            throw CliException.failure("NO_SERVER", "no NBD admin endpoint answers on " + a.getHostString() + ":" + a.getPort()
                    + " (" + e.getMessage() + "); is 'vhdstream nbd serve' running with read-write disks?");
        }
        if (!answer.ok()) {
            throw answer.status() == 400 || answer.status() == 404 ? CliException.usage("USAGE", answer.text())
                    : CliException.failure("SNAPSHOT_FAILED", answer.text());
        }
        out().println(answer.text());
        return 0;
    }
}
