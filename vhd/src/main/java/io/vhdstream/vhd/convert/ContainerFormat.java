package io.vhdstream.vhd.convert;

import io.vhdstream.vhd.io.Bytes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Recognises disk-image containers by their signatures, so that one is never taken for a raw disk (its
 * headers would become the first sectors of the guest's disk). Only signatures at fixed places are used: a
 * raw disk starting with one of these is not a disk any guest made.
 */
public enum ContainerFormat {
    /** No known signature. */
    RAW("raw"),
    /** "conectix" at the end (any VHD) or at 0 (the copy of dynamic and differencing ones). */
    VHD("VHD"),
    /** "vhdxfile" at 0. */
    VHDX("VHDX"),
    /** "QFI\xfb" at 0. */
    QCOW2("qcow2"),
    /** "KDMV" (sparse extent), "COWD" (ESX sparse) or a "# Disk DescriptorFile" text at 0. */
    VMDK("VMDK"),
    /** VirtualBox: 0xbeda107f at 64. */
    VDI("VDI");

    private final String displayName;

    ContainerFormat(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    public static ContainerFormat probe(FileChannel ch) throws IOException {
        long size = ch.size();
        byte[] head = read(ch, 0, (int) Math.min(512, size));
        if (starts(head, "conectix")) {
            return VHD;
        }
        if (starts(head, "vhdxfile")) {
            return VHDX;
        }
        if (head.length >= 4 && head[0] == 'Q' && head[1] == 'F' && head[2] == 'I' && (head[3] & 0xFF) == 0xFB) {
            return QCOW2;
        }
        if (starts(head, "KDMV") || starts(head, "COWD") || starts(head, "# Disk DescriptorFile")) {
            return VMDK;
        }
        if (head.length >= 68 && Bytes.i32(new byte[] {head[67], head[66], head[65], head[64]}, 0) == 0xBEDA107F) {
            return VDI;
        }
        if (size >= 512 && starts(read(ch, size - 512, 8), "conectix")) {
            return VHD;
        }
        if (size >= 511 && starts(read(ch, size - 511, 8), "conectix")) {
            return VHD; // the 511-byte footer of old Virtual PC images
        }
        return RAW;
    }

    private static boolean starts(byte[] b, String sig) {
        byte[] s = sig.getBytes(StandardCharsets.US_ASCII);
        if (b.length < s.length) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            if (b[i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining() && ch.read(b, at + b.position()) >= 0) {
            // until full or end of file
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}
