package io.vhdstream.cli.nbd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.VerbCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code vhdstream nbd serve}: the NBD server, until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve disks over NBD (nbd://127.0.0.1:10809/EXPORT) until stopped (SIGTERM or Ctrl-C: exit 0).",
            "Exports: DISK@SNAPSHOT is a sealed snapshot found under a --layers directory, read-only, read through its",
            "layer chain (base:allocation block status, multi-conn).",
            "Listening on an address other than loopback needs TLS (--tls-cert/--tls-key) or --insecure-plaintext."})
public final class NbdServeCommand extends VerbCommand {
    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:10809",
            description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--layers", paramLabel = "DIR",
            description = "A layer directory (the topology's layers.dir, or one disk's, as 'rebuild --out' writes) whose sealed snapshots are exported as DISK@SNAPSHOT (repeatable).")
    List<Path> layers = new ArrayList<>();

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate (chain): TLS is then required (NBD_OPT_STARTTLS).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--insecure-plaintext",
            description = "Allow plaintext on a non-loopback address: anyone who can connect reads and writes every export.")
    boolean insecurePlaintext;

    @Override
    public Integer call() throws Exception {
        for (Path d : layers) {
            if (!Files.isDirectory(d)) {
                throw CliException.usage("USAGE", "--layers " + d + ": no such directory");
            }
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw CliException.usage("USAGE", "--tls-cert and --tls-key go together");
        }
        NbdServeRun.run(new NbdServeRun.Options(listen, layers, tlsCert, tlsKey, insecurePlaintext), out());
        return 0;
    }
}
