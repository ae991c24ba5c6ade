package io.vhdstream.topology.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;

/**
 * The default {@code group.instance.id} of a topology instance: stable across restarts of the same
 * installation (the host's name and the layer directory's absolute path), different for two installations
 * on one host (they must use different layer directories anyway). With it, an instance that is restarted,
 * even after kill -9, rejoins the consumer group under the same identity and takes its tasks back at once
 * instead of waiting out {@code session.timeout.ms} for the dead member to expire.
 */
public final class StaticMembership {
    /** Where a user may already have set the instance id (Streams passes each to its main consumer). */
    static final List<String> KEYS = List.of("group.instance.id", "consumer.group.instance.id",
            "main.consumer.group.instance.id");

    private StaticMembership() {
    }

    /** True if the Streams settings already name a group instance id (possibly empty, to opt out). */
    static boolean configured(Properties streams) {
        return KEYS.stream().anyMatch(streams::containsKey);
    }

    /** {@code <application.id>-<host>-<8 hex digits of SHA-256 of the layer directory>}. */
    static String defaultInstanceId(String applicationId, Path layersDir) {
        String host = hostName().replaceAll("[^A-Za-z0-9._-]", "_");
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest(layersDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return applicationId + "-" + host + "-" + HexFormat.of().formatHex(h, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    /** The kernel's host name without a DNS lookup where possible (a lookup can take seconds when DNS is broken). */
    static String hostName() {
        try {
            Path proc = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(proc)) {
                String h = Files.readString(proc, StandardCharsets.UTF_8).trim();
                if (!h.isEmpty()) {
                    return h;
                }
            }
        } catch (java.io.IOException | SecurityException ignored) {
            // fall through to the environment
        }
        for (String env : List.of("HOSTNAME", "COMPUTERNAME")) {
            String h = System.getenv(env);
            if (h != null && !h.isBlank()) {
                return h.trim();
            }
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
