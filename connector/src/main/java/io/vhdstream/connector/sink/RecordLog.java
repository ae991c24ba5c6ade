package io.vhdstream.connector.sink;

import io.vhdstream.schemas.LayerDigest;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The records applied to a replica layer that is being written, one fixed-size entry per extentIndex:
 * extentIndex (8), offset (8), length (8), type (1: ChangedBlock, 2: ZeroExtent), SHA-256 of the data (32,
 * zeros for a ZeroExtent). At EndOfLayer the sink replays it against the replica file to recompute the
 * layer's digests, whatever restarts and redeliveries happened in between. A torn last entry (crash during
 * an append) is dropped on open; that record is redelivered because its offset was not committed.
 */
final class RecordLog implements Closeable {
    static final String SUFFIX = ".records";
    static final int ENTRY = 8 + 8 + 8 + 1 + 32;

    record Entry(long extentIndex, long offset, long length, byte type, byte[] sha256) {
        boolean sameAs(Entry o) {
            return extentIndex == o.extentIndex && offset == o.offset && length == o.length && type == o.type
                    && Arrays.equals(sha256, o.sha256);
        }

        @Override
        public String toString() {
            return "#" + extentIndex + " " + (type == LayerDigest.CHANGED_BLOCK ? "data" : "zeros") + " [" + offset + ", +" + length + ")";
        }
    }

    private final FileChannel ch;
    private long count;

    RecordLog(Path path) throws IOException {
        ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = ch.size();
        count = size / ENTRY;
        if (size % ENTRY != 0) {
            ch.truncate(count * ENTRY);
        }
    }

    /** Entries held: the next extentIndex expected. */
    long count() {
        return count;
    }

    void append(Entry e) throws IOException {
        if (e.extentIndex() != count) {
            throw new IllegalStateException("append " + e + " at " + count);
        }
        ByteBuffer b = ByteBuffer.allocate(ENTRY);
        b.putLong(e.extentIndex()).putLong(e.offset()).putLong(e.length()).put(e.type()).put(e.sha256()).flip();
        long at = count * ENTRY;
        while (b.hasRemaining()) {
            at += ch.write(b, at);
        }
        count++;
    }

    Entry get(long index) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(ENTRY);
        long at = index * ENTRY;
        while (b.hasRemaining()) {
            int n = ch.read(b, at + b.position());
            if (n < 0) {
                throw new IOException("record log ends before entry " + index);
            }
        }
        b.flip();
        long idx = b.getLong();
        long off = b.getLong();
        long len = b.getLong();
        byte type = b.get();
        byte[] sha = new byte[32];
        b.get(sha);
        if (idx != index) {
            throw new IOException("record log entry " + index + " says it is " + idx);
        }
        return new Entry(idx, off, len, type, sha);
    }

    /** Forgets every entry (the layer is being received again from its start). */
    void clear() throws IOException {
        ch.truncate(0);
        count = 0;
    }

    void sync() throws IOException {
        ch.force(false);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
