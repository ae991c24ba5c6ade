package io.vhdstream.embedded.demo;

import io.vhdstream.topology.disk.LayerNames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** How far the topology got with a disk: the lines of its {@code sealed} file, as the progress lines count them. */
final class SealedLines {
    private SealedLines() {
    }

    static List<String> sealedLayers(Path diskDir) {
        try {
            Path f = diskDir.resolve(LayerNames.SEALED);
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    static int count(List<String> lines) {
        return (int) lines.stream().filter(l -> !l.isBlank()).count();
    }
}
