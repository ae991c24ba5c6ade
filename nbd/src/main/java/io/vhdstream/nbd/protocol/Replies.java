package io.vhdstream.nbd.protocol;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Writes the server's messages: option replies (handshake) and simple or structured replies (transmission). */
public final class Replies {
    private final Wire wire;

    public Replies(Wire wire) {
        this.wire = wire;
    }

    /** An option reply with {@code data}; flushed. */
    public void option(int option, int type, byte[] data) throws IOException {
        DataOutputStream o = wire.out();
        o.writeLong(Nbd.REPLY_MAGIC);
        o.writeInt(option);
        o.writeInt(type);
        o.writeInt(data.length);
        o.write(data);
        o.flush();
    }

    public void ack(int option) throws IOException {
        option(option, Nbd.REP_ACK, new byte[0]);
    }

    /** An error reply; the message is for people (the spec allows a UTF-8 string as the data). */
    public void optionError(int option, int type, String message) throws IOException {
        option(option, type, message.getBytes(StandardCharsets.UTF_8));
    }

    /** A simple reply without data (or with an error). Not flushed: the caller flushes when the queue is empty. */
    public void simple(long cookie, int errno) throws IOException {
        DataOutputStream o = wire.out();
        o.writeInt(Nbd.SIMPLE_REPLY_MAGIC);
        o.writeInt(errno);
        o.writeLong(cookie);
    }

    /** A simple reply to a READ: header, then the data. */
    public void simpleRead(long cookie, ByteBuffer data) throws IOException {
        simple(cookie, 0);
        wire.write(data);
    }

    /** One structured chunk header. */
    private void chunk(long cookie, int flags, int type, int length) throws IOException {
        DataOutputStream o = wire.out();
        o.writeInt(Nbd.STRUCTURED_REPLY_MAGIC);
        o.writeShort(flags);
        o.writeShort(type);
        o.writeLong(cookie);
        o.writeInt(length);
    }

    /** NBD_REPLY_TYPE_OFFSET_DATA. */
    public void offsetData(long cookie, boolean done, long offset, ByteBuffer data) throws IOException {
        chunk(cookie, done ? Nbd.REPLY_FLAG_DONE : 0, Nbd.REPLY_TYPE_OFFSET_DATA, 8 + data.remaining());
        wire.out().writeLong(offset);
        wire.write(data);
    }

    /** NBD_REPLY_TYPE_BLOCK_STATUS: (length, flags) pairs for one meta context; the last chunk of the reply. */
    public void blockStatus(long cookie, int contextId, long[] lengths, int[] flags, int count) throws IOException {
        chunk(cookie, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_BLOCK_STATUS, 4 + 8 * count);
        DataOutputStream o = wire.out();
        o.writeInt(contextId);
        for (int i = 0; i < count; i++) {
            o.writeInt((int) lengths[i]);
            o.writeInt(flags[i]);
        }
    }

    /** NBD_REPLY_TYPE_ERROR, ending the reply. */
    public void structuredError(long cookie, int errno, String message) throws IOException {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(m.length, 4096);
        chunk(cookie, Nbd.REPLY_FLAG_DONE, Nbd.REPLY_TYPE_ERROR, 6 + len);
        DataOutputStream o = wire.out();
        o.writeInt(errno);
        o.writeShort(len);
        o.write(m, 0, len);
    }
}
