package io.vhdstream.connector.source;

import java.nio.file.Path;
import java.util.List;

/**
 * A disk and the layers of it that may be emitted, base first.
 *
 * @param layerDirectory true for a vhdstream layer directory, false for a foreign chain
 * @param baseLevel      the highest layer index whose content retention merged into the base (0: none, and
 *                       always 0 for foreign chains); {@code layers} then holds the base and the layers above it
 */
public record DiskChain(String diskId, Path root, boolean layerDirectory, int baseLevel, List<LayerRef> layers) {
    public DiskChain {
        layers = List.copyOf(layers);
    }
}
