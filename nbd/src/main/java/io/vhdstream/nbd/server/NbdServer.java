package io.vhdstream.nbd.server;

import io.vhdstream.nbd.export.ExportCatalog;
import io.vhdstream.nbd.protocol.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Listens for NBD clients and serves each connection on a thread of its own: handshake, then transmission.
 * A client that misbehaves loses only its own connection; the listener goes on serving the next one. The
 * whole handshake has a deadline (not only each read): a client that sends nothing, or dribbles a byte now
 * and then, would otherwise hold a connection slot for ever.
 */
public final class NbdServer implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(NbdServer.class);

    private final ServerSocket listener;
    private final ExportCatalog catalog;
    private final ServerSettings settings;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final Thread acceptor;
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nbd-handshake-deadline");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    private NbdServer(ServerSocket listener, ExportCatalog catalog, ServerSettings settings) {
        this.listener = listener;
        this.catalog = catalog;
        this.settings = settings;
        this.acceptor = new Thread(this::acceptLoop, "nbd-accept");
        this.acceptor.setDaemon(true);
    }

    public static NbdServer start(ServerSettings settings, ExportCatalog catalog) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(settings.listen(), 64);
        NbdServer server = new NbdServer(s, catalog, settings);
        server.acceptor.start();
        log.info("NBD server listening on {}{}", server.address(), settings.tls() != null ? " (TLS required)" : "");
        return server;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket c;
            try {
                c = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("accept failed", e);
                }
                continue;
            }
            if (clients.size() >= settings.maxConnections()) {
                log.warn("refusing {}: {} connections already", c.getRemoteSocketAddress(), clients.size());
                closeQuietly(c);
                continue;
            }
            clients.add(c);
            Thread t = new Thread(() -> serve(c), "nbd-conn-" + connections.incrementAndGet());
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(Socket c) {
        Negotiated n = null;
        try (Wire wire = new Wire(c)) {
            c.setTcpNoDelay(true);
            wire.timeout((int) settings.handshakeTimeout().toMillis());
            ScheduledFuture<?> deadline = deadlines.schedule(() -> cutOff(c),
                    settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            try {
                n = new Handshake(wire, catalog, settings).run();
            } finally {
                deadline.cancel(false);
            }
            if (n != null) {
                new Transmission(wire, n, settings).run();
            }
        } catch (EOFException | SocketException e) {
            log.debug("{}: connection ended: {}", c.getRemoteSocketAddress(), e.toString());
        } catch (SocketTimeoutException e) {
            log.info("{}: client stalled for {}; closing", c.getRemoteSocketAddress(), settings.handshakeTimeout());
        } catch (IOException | RuntimeException e) {
            log.warn("{}: connection failed", c.getRemoteSocketAddress(), e);
        } finally {
            clients.remove(c);
            if (n != null) {
                try {
                    n.export().close();
                } catch (IOException e) {
                    log.warn("closing export {} failed", n.export().name(), e);
                }
            }
        }
    }

    private void cutOff(Socket c) {
        log.info("{}: handshake not finished within {}; closing", c.getRemoteSocketAddress(), settings.handshakeTimeout());
        closeQuietly(c);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        deadlines.shutdownNow();
        for (Socket c : clients) {
            closeQuietly(c);
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
