package io.vhdstream.vhd.testkit;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.image.ImageStructure;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.ImageFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Small engine conveniences shared by the robustness tests. */
public final class Vhds {
    private Vhds() {
    }

    public static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** The whole virtual disk through the chain, strict, parents confined to top's directory. */
    public static byte[] readChain(Path top) throws IOException {
        return readChain(top, ChainOptions.forImage(top));
    }

    public static byte[] readChain(Path top, ChainOptions options) throws IOException {
        try (VhdChain c = VhdChain.open(top, options, false)) {
            return readAll(c);
        }
    }

    public static byte[] readAll(VhdChain c) throws IOException {
        long size = c.virtualSize();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("disk of " + size + " bytes does not fit an array");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        c.read(0, b);
        return b.array();
    }

    /** Writes through the engine: opens top writable, writes, closes. */
    public static void write(Path image, long offset, byte[] data) throws IOException {
        try (VhdImage img = VhdImage.open(image, OpenOptions.WRITE)) {
            img.write(offset, ByteBuffer.wrap(data));
        }
    }

    /** The structure walk as open and check see it (strict). */
    public static List<Problem> problems(Path image) throws IOException {
        return structure(image, true).problems();
    }

    public static ImageStructure structure(Path image, boolean strict) throws IOException {
        try (ImageFile f = ImageFile.open(image, false)) {
            return ImageStructure.read(f, strict);
        }
    }
}
