package io.vhdstream.vhd.image;

import java.io.IOException;

/** Receives the runs of a range in one layer, in offset order. */
@FunctionalInterface
public interface RunSink {
    /** @param fileOffset where the run's bytes start in the image file, or -1 when this layer does not hold them. */
    void run(long offset, long length, long fileOffset) throws IOException;
}
