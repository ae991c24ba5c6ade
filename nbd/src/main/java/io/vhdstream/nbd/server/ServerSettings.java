package io.vhdstream.nbd.server;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * How the server listens and what it tolerates from a client.
 *
 * @param tls              TLS for NBD_OPT_STARTTLS; when set, TLS is required (no export without it); null: plaintext
 * @param maxConnections   connections served at once; more are closed at accept
 * @param handshakeTimeout longest a client may take for the whole option haggling, and for one request once its
 *                         first byte arrived (a stalled client never holds a thread forever)
 * @param maxOptions       options one connection may send before it is refused (an option flood)
 */
public record ServerSettings(InetSocketAddress listen, SSLContext tls, int maxConnections, Duration handshakeTimeout,
                             int maxOptions) {
    public static final int DEFAULT_PORT = 10809;
    /** Largest READ or WRITE payload (NBD_INFO_BLOCK_SIZE maximum): the 32 MiB every client assumes. */
    public static final int MAX_PAYLOAD = 32 * 1024 * 1024;
    /** Preferred request size advertised: 4 KiB pages. */
    public static final int PREFERRED_BLOCK = 4096;

    public static ServerSettings of(InetSocketAddress listen, SSLContext tls) {
        return new ServerSettings(listen, tls, 64, Duration.ofSeconds(30), 256);
    }

    public static ServerSettings localhost(int port) {
        return of(new InetSocketAddress("127.0.0.1", port), null);
    }

    public ServerSettings withTimeout(Duration t) {
        return new ServerSettings(listen, tls, maxConnections, t, maxOptions);
    }

    /**
     * Refuses plaintext on an address other hosts can reach unless {@code insecurePlaintext}: NBD has no
     * authentication, so anyone who can connect could read or overwrite every disk.
     */
    public void requireSafe(boolean insecurePlaintext) throws NbdConfigException {
        if (tls == null && !insecurePlaintext && !listen.getAddress().isLoopbackAddress()) {
            throw new NbdConfigException("listening on " + listen.getAddress().getHostAddress()
                    + " needs TLS (--tls-cert and --tls-key) or, knowingly, --insecure-plaintext");
        }
    }
}
