package io.vhdstream.topology.support;

import io.vhdstream.schemas.ContentDigest;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.check.CheckReport;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Reads layer files back for assertions, independently of the topology's code. */
public final class Layers {
    private Layers() {
    }

    /** The whole disk as read through the chain whose top is {@code top}. */
    public static byte[] read(Path top) throws IOException {
        try (VhdChain chain = VhdChain.open(top, ChainOptions.forImage(top), false)) {
            byte[] out = new byte[Math.toIntExact(chain.virtualSize())];
            chain.read(0, ByteBuffer.wrap(out));
            return out;
        }
    }

    /** Asserts equal content, reporting the first differing sector. */
    public static void assertSameContent(byte[] expected, byte[] actual, String what) {
        if (expected.length != actual.length) {
            fail(what + ": size " + actual.length + " instead of " + expected.length);
        }
        int at = java.util.Arrays.mismatch(expected, actual);
        if (at >= 0) {
            fail(what + ": first difference at byte " + at + " (sector " + at / 512 + ")");
        }
    }

    /** Content digest of one layer, recomputed from its present extents. */
    public static byte[] digest(Path layer) throws IOException {
        try (VhdImage img = VhdImage.open(layer)) {
            ContentDigest d = new ContentDigest();
            for (Extent e : img.presentExtents()) {
                ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(e.length()));
                img.readPresent(e.offset(), b);
                d.data(e.offset(), b.array());
            }
            return d.finish();
        }
    }

    public static long presentSectors(Path layer) throws IOException {
        try (VhdImage img = VhdImage.open(layer)) {
            return img.presentExtents().stream().mapToLong(Extent::length).sum() / 512;
        }
    }

    public static List<Extent> presentExtents(Path layer) throws IOException {
        try (VhdImage img = VhdImage.open(layer)) {
            return img.presentExtents();
        }
    }

    public static void assertClean(Path layer) throws IOException {
        CheckReport r = VhdChecker.check(layer, ChainOptions.forImage(layer));
        assertTrue(r.clean(), () -> layer + " is not clean: " + r.problems());
    }

    /** SHA-256 of every regular file under {@code dir}, by relative path. */
    public static Map<String, String> fileHashes(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                m.put(dir.relativize(p).toString(), sha256(Files.readAllBytes(p)));
            }
        }
        return m;
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void assertBytes(byte[] expected, byte[] actual) {
        assertArrayEquals(expected, actual);
    }
}
