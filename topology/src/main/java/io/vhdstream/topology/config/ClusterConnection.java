package io.vhdstream.topology.config;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An admin connection to a cluster that is known to answer: {@link #open} first tries the bootstrap addresses
 * over TCP (so that "connection refused" or "unknown host" is reported within seconds, with the addresses,
 * instead of a client waiting out its timeouts in silence), then asks the cluster for its id over the
 * configured protocol (so that TLS and SASL failures are reported as such). Every command that talks to Kafka
 * opens one before it builds its producer or consumer; the topology does too.
 */
public final class ClusterConnection implements AutoCloseable {
    /** How long short commands wait for an unreachable cluster before they give up. */
    public static final Duration COMMAND_WAIT = Duration.ofSeconds(10);
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Admin admin;
    private final String bootstrapServers;
    private final String clusterId;
    private final int brokers;

    private ClusterConnection(Admin admin, String bootstrapServers, String clusterId, int brokers) {
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.clusterId = clusterId;
        this.brokers = brokers;
    }

    /**
     * Connects with {@code clientSettings} (at least {@code bootstrap.servers}; TLS, SASL as needed), waiting up to
     * {@code wait} for a bootstrap server to accept a connection. {@code progress} receives a line every couple of
     * seconds while it waits (may be null). Throws {@link ClusterProblem} (unreachable, authentication) or
     * {@link ConfigException} (settings a client cannot be built with).
     */
    public static ClusterConnection open(Map<String, ?> clientSettings, Duration wait, Consumer<String> progress)
            throws ClusterProblem {
        String bootstrap = ClientSettings.bootstrapServers(clientSettings);
        List<InetSocketAddress> addresses = ClientSettings.bootstrapAddresses(bootstrap);
        long start = System.nanoTime();
        long deadline = start + wait.toNanos();
        awaitTcp(addresses, start, deadline, progress, wait);

        Map<String, Object> c = new HashMap<>(clientSettings);
        c.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.putIfAbsent(CommonClientConfigs.CLIENT_ID_CONFIG, "vhdstream-admin");
        int answerMs = (int) Math.max(5000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Math.max(answerMs, 10_000));
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, answerMs);
        Admin admin = create(c);
        try {
            DescribeClusterResult d = admin.describeCluster(new DescribeClusterOptions().timeoutMs(answerMs));
            String id = d.clusterId().get();
            int brokers = d.nodes().get().size();
            return new ClusterConnection(admin, bootstrap, id, brokers);
        } catch (ExecutionException e) {
            admin.close(Duration.ZERO);
            throw translate(e.getCause(), bootstrap, clientSettings, answerMs);
        } catch (InterruptedException e) {
            admin.close(Duration.ZERO);
            Thread.currentThread().interrupt();
            throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "interrupted while connecting to Kafka at " + bootstrap, e);
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
    }

    /** Builds the admin client; a failure here is a setting no client can work with (a bad JAAS line, a key store). */
    private static Admin create(Map<String, Object> c) {
        try {
            return Admin.create(c);
        } catch (KafkaException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
                if (root instanceof ConfigException ce) {
                    throw ce;
                }
            }
            throw new ConfigException("the Kafka client settings do not work: " + root.getMessage()
                    + " (check the ssl.* and sasl.* settings)");
        }
    }

    private static void awaitTcp(List<InetSocketAddress> addresses, long start, long deadline, Consumer<String> progress,
                                 Duration wait) throws ClusterProblem {
        long lastProgress = start;
        while (true) {
            List<String> failures = new ArrayList<>();
            for (InetSocketAddress a : addresses) {
                String failure = tryConnect(a, (int) Math.max(200, Math.min(2000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
                if (failure == null) {
                    return;
                }
                failures.add(a.getHostString() + ":" + a.getPort() + " (" + failure + ")");
            }
            long now = System.nanoTime();
            String tried = String.join(", ", failures);
            if (now >= deadline) {
                throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "cannot reach Kafka at " + tried + " after "
                        + wait.toSeconds() + " s (bootstrap.servers; is the broker running and the address right?)");
            }
            if (progress != null && now - lastProgress >= PROGRESS_EVERY_NANOS) {
                progress.accept("waiting for Kafka at " + tried + ": " + TimeUnit.NANOSECONDS.toSeconds(now - start)
                        + " s of " + wait.toSeconds() + " s");
                lastProgress = now;
            }
            try {
                Thread.sleep(Math.min(500, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - now))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "interrupted while waiting for Kafka at " + tried, e);
            }
        }
    }

    /** Null when a TCP connection to {@code a} succeeds, else why not, in a few words. */
    private static String tryConnect(InetSocketAddress a, int timeoutMs) {
        InetSocketAddress resolved = new InetSocketAddress(a.getHostString(), a.getPort());
        if (resolved.isUnresolved()) {
            return "unknown host";
        }
        try (Socket s = new Socket()) {
            s.connect(resolved, timeoutMs);
            return null;
        } catch (UnknownHostException e) {
            return "unknown host";
        } catch (SocketTimeoutException e) {
            return "no answer within " + timeoutMs + " ms";
        } catch (IOException e) {
            String m = e.getMessage();
            return m == null ? e.getClass().getSimpleName() : m.toLowerCase(java.util.Locale.ROOT).replace(" (connection refused)", "");
        }
    }

    private static ClusterProblem translate(Throwable cause, String bootstrap, Map<String, ?> settings, int answerMs) {
        String security = ClientSettings.describeSecurity(settings);
        if (cause instanceof AuthenticationException) {
            return new ClusterProblem(ClusterProblem.Kind.AUTHENTICATION, "Kafka at " + bootstrap + " refused the connection ("
                    + security + "): " + cause.getMessage(), cause);
        }
        if (cause instanceof AuthorizationException) {
            return new ClusterProblem(ClusterProblem.Kind.NOT_AUTHORIZED, "Kafka at " + bootstrap + " refused to describe the "
                    + "cluster (" + security + "): " + cause.getMessage(), cause);
        }
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "Kafka at " + bootstrap + " accepted a connection but "
                    + "did not answer within " + answerMs / 1000 + " s with " + security
                    + " (does that listener expect another security.protocol, e.g. SSL or SASL_SSL?)", cause);
        }
        return new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "Kafka at " + bootstrap + " could not be used ("
                + security + "): " + cause, cause);
    }

    /** The admin client, for topic checks and the like; closed with this connection. */
    public Admin admin() {
        return admin;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String clusterId() {
        return clusterId;
    }

    /** Brokers the cluster reported. */
    public int brokers() {
        return brokers;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
