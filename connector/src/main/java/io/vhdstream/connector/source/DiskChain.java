package io.vhdstream.connector.source;

import java.nio.file.Path;
import java.util.List;

/**
 * A disk and the layers of it that may be emitted, base first.
 *
 * @param layerDirectory true for a vhdstream layer directory, false for a foreign chain
 */
public record DiskChain(String diskId, Path root, boolean layerDirectory, List<LayerRef> layers) {
    public DiskChain {
        layers = List.copyOf(layers);
    }
}
