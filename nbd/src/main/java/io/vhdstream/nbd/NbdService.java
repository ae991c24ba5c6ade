package io.vhdstream.nbd;

import io.vhdstream.nbd.admin.AdminEndpoint;
import io.vhdstream.nbd.export.CombinedCatalog;
import io.vhdstream.nbd.export.SnapshotCatalog;
import io.vhdstream.nbd.journal.CommandSender;
import io.vhdstream.nbd.journal.DiskOpener;
import io.vhdstream.nbd.journal.JournaledDisk;
import io.vhdstream.nbd.server.NbdConfigException;
import io.vhdstream.nbd.server.NbdServer;
import io.vhdstream.nbd.server.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code vhdstream nbd serve}: the read-write disks (reconciled with the log, created if asked), the scheduled
 * snapshots, the local admin endpoint and the NBD listener, started in that order and closed in reverse.
 */
public final class NbdService implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(NbdService.class);
    private static final DateTimeFormatter AUTO_ID = DateTimeFormatter.ofPattern("'auto-'yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /**
     * @param clientSettings Kafka client settings (bootstrap servers, security); only used with read-write disks
     * @param create         disks to serve read-write, created with the size if the log lacks them
     * @param disks          disks to serve read-write that must exist
     * @param snapshotEvery  a Snapshot of each changed disk this often (null: only on demand)
     * @param admin          the admin endpoint's address (port 0: any); null: the NBD port + 1 on 127.0.0.1
     */
    public record Config(ServerSettings server, Map<String, Object> clientSettings, String topic, Path stateDir,
                         Map<String, Long> create, List<String> disks, List<Path> layers, Duration snapshotEvery,
                         InetSocketAddress admin) {
        public Config {
            create = new LinkedHashMap<>(create);
            disks = List.copyOf(disks);
            layers = List.copyOf(layers);
        }
    }

    private final Map<String, JournaledDisk> disks;
    private final CommandSender sender;
    private final ScheduledExecutorService scheduler;
    private final AdminEndpoint admin;
    private final NbdServer server;

    private NbdService(Map<String, JournaledDisk> disks, CommandSender sender, ScheduledExecutorService scheduler,
                       AdminEndpoint admin, NbdServer server) {
        this.disks = disks;
        this.sender = sender;
        this.scheduler = scheduler;
        this.admin = admin;
        this.server = server;
    }

    public static NbdService start(Config c) throws IOException, NbdConfigException {
        Map<String, JournaledDisk> disks = new LinkedHashMap<>();
        CommandSender sender = null;
        ScheduledExecutorService scheduler = null;
        AdminEndpoint admin = null;
        try {
            if (!c.create().isEmpty() || !c.disks().isEmpty()) {
                sender = CommandSender.connect(c.clientSettings(), c.topic());
                for (Map.Entry<String, Long> e : c.create().entrySet()) {
                    disks.put(e.getKey(), DiskOpener.open(e.getKey(), e.getValue(), c.stateDir(), sender));
                }
                for (String d : c.disks()) {
                    if (!disks.containsKey(d)) {
                        disks.put(d, DiskOpener.open(d, -1, c.stateDir(), sender));
                    }
                }
            }
            if (c.snapshotEvery() != null && !disks.isEmpty()) {
                scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "nbd-snapshots");
                    t.setDaemon(true);
                    return t;
                });
                long ms = c.snapshotEvery().toMillis();
                scheduler.scheduleWithFixedDelay(() -> scheduledSnapshots(disks), ms, ms, TimeUnit.MILLISECONDS);
            }
            NbdServer server = NbdServer.start(c.server(), new CombinedCatalog(disks, new SnapshotCatalog(c.layers())));
            if (!disks.isEmpty()) {
                InetSocketAddress a = c.admin() != null ? c.admin() : new InetSocketAddress("127.0.0.1", server.port() + 1);
                try {
                    admin = AdminEndpoint.start(a, disks);
                } catch (IOException e) {
                    server.close();
                    throw e;
                }
            }
            return new NbdService(disks, sender, scheduler, admin, server);
        } catch (IOException | NbdConfigException | RuntimeException e) {
            closeAll(disks, sender, scheduler, admin);
            throw e;
        }
    }

    private static void scheduledSnapshots(Map<String, JournaledDisk> disks) {
        for (JournaledDisk d : disks.values()) {
            if (!d.changedSinceSnapshot()) {
                continue;
            }
            String id = AUTO_ID.format(Instant.now());
            try {
                long offset = d.snapshot(id, "scheduled");
                log.info("disk '{}': scheduled snapshot {} at offset {}", d.diskId(), id, offset);
            } catch (IOException | RuntimeException e) {
                log.warn("disk '{}': scheduled snapshot {} failed: {}", d.diskId(), id, e.getMessage());
            }
        }
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public int port() {
        return server.port();
    }

    /** The admin endpoint, or null when no read-write disk is served. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    public List<String> diskIds() {
        return new ArrayList<>(disks.keySet());
    }

    @Override
    public void close() throws IOException {
        server.close();
        closeAll(disks, sender, scheduler, admin);
    }

    private static void closeAll(Map<String, JournaledDisk> disks, CommandSender sender, ScheduledExecutorService scheduler,
                                 AdminEndpoint admin) {
        if (admin != null) {
            admin.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        for (JournaledDisk d : disks.values()) {
            try {
                d.close();
            } catch (IOException e) {
                log.warn("closing disk '{}' failed", d.diskId(), e);
            }
        }
        if (sender != null) {
            sender.close();
        }
    }
}
