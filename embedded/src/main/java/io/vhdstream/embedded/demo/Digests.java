package io.vhdstream.embedded.demo;

import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The digests the checks compare: of a whole virtual disk read through its chain. */
final class Digests {
    private Digests() {
    }

    /** SHA-256 of the whole virtual disk read through the chain whose top is {@code top}. */
    static byte[] chainDigest(Path top) throws IOException {
        try (VhdChain chain = VhdChain.open(top, ChainOptions.forImage(top), false)) {
            MessageDigest md = sha256();
            ByteBuffer buf = ByteBuffer.allocate(4 << 20);
            for (long off = 0; off < chain.virtualSize(); off += buf.capacity()) {
                buf.clear().limit((int) Math.min(buf.capacity(), chain.virtualSize() - off));
                chain.read(off, buf);
                buf.flip();
                md.update(buf);
            }
            return md.digest();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
