package io.vhdstream.vhd.image;

import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.io.ImageFile;
import io.vhdstream.vhd.io.Sectors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** Raw data followed by the footer: every sector is present at its own offset. */
public final class FixedImage extends VhdImage {
    private static final int ZERO_CHUNK = 1 << 20;

    FixedImage(ImageFile file, ImageStructure structure) {
        super(file, structure);
    }

    @Override
    public void mapRuns(long offset, long length, RunSink sink) throws IOException {
        Sectors.requireWithin(offset, length, virtualSize());
        if (length > 0) {
            sink.run(offset, length, offset);
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        checkWrite(offset, src.remaining());
        file.writeFully(offset, src);
    }

    @Override
    public void zero(long offset, long length) throws IOException {
        checkWrite(offset, length);
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK, length));
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(zeros.capacity(), length - done);
            zeros.clear().limit(n);
            file.writeFully(offset + done, zeros);
            done += n;
        }
    }

    @Override
    public List<Extent> presentExtents() {
        return virtualSize() == 0 ? List.of() : List.of(new Extent(0, virtualSize()));
    }
}
