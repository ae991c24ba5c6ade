package io.vhdstream.cli.nbd;

import io.vhdstream.cli.CliException;
import io.vhdstream.cli.StopSignals;
import io.vhdstream.cli.util.Sizes;
import io.vhdstream.nbd.NbdService;
import io.vhdstream.nbd.server.NbdConfigException;
import io.vhdstream.nbd.server.ServerSettings;
import io.vhdstream.nbd.tls.PemTls;
import io.vhdstream.topology.config.ClientSettings;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The server's life for {@code nbd serve}; outside the verb so that picocli's reflection loads none of it. */
final class NbdServeRun {
    static final String DEFAULT_LISTEN = "127.0.0.1:10809";

    private NbdServeRun() {
    }

    /** The settings after the config file and the flags (flags win); {@code file} holds the file's other keys. */
    record Options(String listen, Map<String, Long> create, List<String> disks, List<Path> layers, Path stateDir,
                   Duration snapshotEvery, Path tlsCert, Path tlsKey, boolean insecurePlaintext, String topic,
                   Map<String, String> file) {

        static Options resolve(Path config, String listen, List<String> create, List<String> disks, List<Path> layers,
                               Path stateDir, String snapshotEvery, Path tlsCert, Path tlsKey, boolean insecure,
                               String topic) throws IOException {
            Map<String, String> f = new LinkedHashMap<>();
            if (config != null) {
                if (!Files.isRegularFile(config)) {
                    throw CliException.usage("USAGE", "no such config file: " + config);
                }
                f.putAll(ClientSettings.load(config));
            }
            String l = listen != null ? listen : f.getOrDefault("nbd.listen", DEFAULT_LISTEN);
            List<Path> lay = new ArrayList<>(layers);
            if (lay.isEmpty() && f.containsKey("nbd.layers")) {
                for (String s : f.get("nbd.layers").split(",")) {
                    if (!s.isBlank()) {
                        lay.add(Path.of(s.trim()));
                    }
                }
            }
            for (Path d : lay) {
                if (!Files.isDirectory(d)) {
                    throw CliException.usage("USAGE", "--layers " + d + ": no such directory");
                }
            }
            Map<String, Long> cr = new LinkedHashMap<>();
            for (String c : create) {
                int eq = c.lastIndexOf('=');
                if (eq <= 0) {
                    throw CliException.usage("USAGE", "--create " + c + ": expected DISK=SIZE");
                }
                try {
                    cr.put(c.substring(0, eq), Sizes.parse(c.substring(eq + 1)));
                } catch (IllegalArgumentException e) {
                    throw CliException.usage("USAGE", "--create " + c + ": " + e.getMessage());
                }
            }
            Path state = stateDir != null ? stateDir : Path.of(f.getOrDefault("nbd.state.dir", "nbd-state"));
            String every = snapshotEvery != null ? snapshotEvery : f.get("nbd.snapshot.every");
            Path cert = tlsCert != null ? tlsCert : pathOrNull(f.get("nbd.tls.cert"));
            Path key = tlsKey != null ? tlsKey : pathOrNull(f.get("nbd.tls.key"));
            if ((cert == null) != (key == null)) {
                throw CliException.usage("USAGE", "--tls-cert and --tls-key go together");
            }
            Map<String, String> kafkaFile = new LinkedHashMap<>(f);
            kafkaFile.keySet().removeIf(k -> k.startsWith("nbd."));
            return new Options(l, cr, List.copyOf(disks), lay, state, every == null ? null : duration(every), cert, key,
                    insecure, topic, kafkaFile);
        }

        /** Kafka client settings: the config file's non-nbd keys, then the flags' (which win). */
        Map<String, Object> kafkaSettings(Map<String, String> flags, Map<String, String> sources) {
            Map<String, Object> m = new LinkedHashMap<>(file);
            m.putAll(flags);
            m.putIfAbsent("bootstrap.servers", ClientSettings.DEFAULT_BOOTSTRAP_SERVERS);
            Map<String, String> src = new LinkedHashMap<>();
            file.keySet().forEach(k -> src.put(k, "--config"));
            src.putAll(sources);
            ClientSettings.validate(m, src);
            return m;
        }
    }

    static void run(Options o, Map<String, Object> kafka, PrintWriter out) throws Exception {
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
        NbdService service;
        try {
            service = NbdService.start(new NbdService.Config(settings, kafka, o.topic(), o.stateDir(), o.create(), o.disks(),
                    o.layers(), o.snapshotEvery(), null));
        } catch (NbdConfigException e) {
            throw CliException.usage("CONFIG", e.getMessage());
        }
        try (service) {
            out.println("nbd serving on " + service.address().getAddress().getHostAddress() + ":" + service.port()
                    + (tls != null ? " (TLS required)" : "")
                    + (service.diskIds().isEmpty() ? "" : "; read-write: " + String.join(", ", service.diskIds())
                    + "; admin on " + service.adminAddress().getHostString() + ":" + service.adminAddress().getPort())
                    + "; SIGTERM or Ctrl-C stops it");
            out.flush();
            stop.await();
        }
        out.println("nbd stopped");
        out.flush();
    }

    private static Path pathOrNull(String s) {
        return s == null || s.isBlank() ? null : Path.of(s);
    }

    /** 30s, 5m, 2h, 1d, or ISO-8601 (PT15M). */
    static Duration duration(String s) {
        try {
            String t = s.trim().toLowerCase(java.util.Locale.ROOT);
            Duration d;
            if (t.startsWith("p")) {
                d = Duration.parse(s.trim());
            } else {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                d = switch (t.charAt(t.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> throw new NumberFormatException("unknown unit");
                };
            }
            if (d.toMillis() < 1000) {
                throw new NumberFormatException("at least 1s");
            }
            return d;
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw CliException.usage("USAGE", "--snapshot-every " + s + ": expected a duration like 30s, 5m, 1h or PT15M ("
                    + e.getMessage() + ")");
        }
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
