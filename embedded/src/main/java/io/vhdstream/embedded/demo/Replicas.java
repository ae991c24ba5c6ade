package io.vhdstream.embedded.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/** A disk's replica directory as the sink's manifests describe it. */
final class Replicas {
    private Replicas() {
    }

    /** Sealed replica layers by source layer index. */
    static Map<Integer, Path> layers(Path dir) throws IOException {
        Map<Integer, Path> out = new HashMap<>();
        for (Properties m : manifests(dir)) {
            if ("SEALED".equals(m.getProperty("state"))) {
                out.put(Integer.parseInt(m.getProperty("layer.index")), dir.resolve(m.getProperty("replica.file")));
            }
        }
        return out;
    }

    /** Replica layers sealed, including those sealed and then merged into the replica's base. */
    static int sealed(Path dir) {
        try {
            return (int) manifests(dir).stream().filter(m -> "SEALED".equals(m.getProperty("state"))
                    || "MERGED".equals(m.getProperty("state"))).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The highest replica layer merged into the replica's base (0: none). */
    static int level(Path dir) {
        try {
            return manifests(dir).stream().filter(m -> "MERGED".equals(m.getProperty("state")))
                    .mapToInt(m -> Integer.parseInt(m.getProperty("layer.index"))).max().orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    static int failed(Path dir) throws IOException {
        return (int) manifests(dir).stream().filter(m -> "FAILED".equals(m.getProperty("state"))).count();
    }

    private static List<Properties> manifests(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Properties> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".manifest")).toList()) {
                Properties props = new Properties();
                try (InputStream in = Files.newInputStream(p)) {
                    props.load(in);
                } catch (IOException e) {
                    continue; // being replaced right now; the next poll sees it
                }
                out.add(props);
            }
        }
        return out;
    }
}
