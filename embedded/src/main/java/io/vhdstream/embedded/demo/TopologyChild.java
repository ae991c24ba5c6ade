package io.vhdstream.embedded.demo;

import io.vhdstream.topology.app.TopologyApp;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/** The Streams topology as {@code TopologyApp}'s main in a child JVM; working once it prints STATE RUNNING. */
final class TopologyChild extends ServiceChild {
    private final Path props;
    private volatile String state = "";

    TopologyChild(Properties settings, Path dir) throws IOException {
        super("topology", dir.resolve("topology.log"));
        this.props = dir.resolve("topology.properties");
        try (Writer w = Files.newBufferedWriter(props, StandardCharsets.UTF_8)) {
            settings.store(w, "soak topology");
        }
    }

    @Override
    ChildJvm launch(Path log) throws IOException {
        state = "";
        return ChildJvm.start(TopologyApp.class.getName(), List.of(props.toString()), "512m", log, line -> {
            if (line.startsWith("STATE ")) {
                state = line.substring(6).trim();
            }
        });
    }

    @Override
    boolean working() {
        return "RUNNING".equals(state);
    }
}
