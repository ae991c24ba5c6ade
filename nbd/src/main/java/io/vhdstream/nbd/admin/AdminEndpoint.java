package io.vhdstream.nbd.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vhdstream.nbd.journal.JournaledDisk;
import io.vhdstream.topology.disk.LayerNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The server's local admin endpoint: {@code POST /snapshot?disk=D&id=S[&label=T]} sends a Snapshot command for
 * D after every write sent so far and answers once Kafka acknowledged it (200, with its offset). Loopback only:
 * it can only add snapshots, but nothing on the network should be able to.
 */
public final class AdminEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminEndpoint.class);
    private final HttpServer http;

    private AdminEndpoint(HttpServer http) {
        this.http = http;
    }

    public static AdminEndpoint start(InetSocketAddress address, Map<String, JournaledDisk> disks) throws IOException {
        if (!address.getAddress().isLoopbackAddress()) {
            throw new IOException("the admin endpoint listens on loopback only, not " + address);
        }
        HttpServer http = HttpServer.create(address, 16);
        http.createContext("/snapshot", ex -> snapshot(ex, disks));
        http.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "nbd-admin");
            t.setDaemon(true);
            return t;
        }));
        http.start();
        return new AdminEndpoint(http);
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    private static void snapshot(HttpExchange ex, Map<String, JournaledDisk> disks) throws IOException {
        try (ex) {
            if (!"POST".equals(ex.getRequestMethod())) {
                reply(ex, 405, "use POST /snapshot?disk=D&id=S[&label=T]");
                return;
            }
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            JournaledDisk d = disks.get(q.getOrDefault("disk", ""));
            String id = q.get("id");
            if (d == null) {
                reply(ex, 404, "no read-write disk '" + q.getOrDefault("disk", "") + "' is served here (served: "
                        + String.join(", ", disks.keySet()) + ")");
                return;
            }
            String problem = LayerNames.snapshotIdProblem(id);
            if (problem != null) {
                reply(ex, 400, problem);
                return;
            }
            try {
                long offset = d.snapshot(id, q.get("label"));
                reply(ex, 200, "snapshot " + id + " of disk " + d.diskId() + " at offset " + offset);
            } catch (IOException e) {
                log.warn("snapshot {} of {} failed", id, d.diskId(), e);
                reply(ex, 503, "snapshot failed: " + e.getMessage());
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    m.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return m;
    }

    private static void reply(HttpExchange ex, int status, String text) throws IOException {
        byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
