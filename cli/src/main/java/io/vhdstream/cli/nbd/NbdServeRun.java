package io.vhdstream.cli.nbd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.StopSignals;
import io.vhdstream.nbd.export.SnapshotCatalog;
import io.vhdstream.nbd.server.NbdConfigException;
import io.vhdstream.nbd.server.NbdServer;
import io.vhdstream.nbd.server.ServerSettings;
import io.vhdstream.nbd.tls.PemTls;

import javax.net.ssl.SSLContext;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** The server's life for {@code nbd serve}; outside the verb so that picocli's reflection loads none of it. */
final class NbdServeRun {
    private NbdServeRun() {
    }

    record Options(String listen, List<Path> layers, Path tlsCert, Path tlsKey, boolean insecurePlaintext) {
    }

    static void run(Options o, PrintWriter out) throws Exception {
        InetSocketAddress address = address(o.listen());
        SSLContext tls;
        ServerSettings settings;
        try {
            tls = o.tlsCert() == null ? null : PemTls.serverContext(o.tlsCert(), o.tlsKey());
            settings = ServerSettings.of(address, tls);
            settings.requireSafe(o.insecurePlaintext());
        } catch (NbdConfigException e) {
            throw CliException.usage("CONFIG", e.getMessage());
        }
        CountDownLatch stop = StopSignals.install();
        try (NbdServer server = NbdServer.start(settings, new SnapshotCatalog(o.layers()))) {
            out.println("nbd serving on " + server.address().getAddress().getHostAddress() + ":" + server.port()
                    + (tls != null ? " (TLS required)" : "") + "; SIGTERM or Ctrl-C stops it");
            out.flush();
            stop.await();
        }
        out.println("nbd stopped");
        out.flush();
    }

    /** HOST:PORT, [IPv6]:PORT, or a bare port on 127.0.0.1. */
    static InetSocketAddress address(String s) {
        int colon = s.lastIndexOf(':');
        try {
            if (colon < 0) {
                return new InetSocketAddress("127.0.0.1", Integer.parseInt(s));
            }
            String host = s.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, Integer.parseInt(s.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("USAGE", "--listen " + s + ": expected HOST:PORT (" + e.getMessage() + ")");
        }
    }
}
