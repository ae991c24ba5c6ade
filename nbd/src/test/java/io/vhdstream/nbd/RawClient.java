package io.vhdstream.nbd;

import io.vhdstream.nbd.protocol.Nbd;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A deliberately low-level NBD client for tests that send what real clients never would. */
final class RawClient implements AutoCloseable {
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(20_000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    /** Reads the server's greeting and answers with fixed newstyle + no zeroes. */
    RawClient greet() throws IOException {
        assertEquals(Nbd.NBDMAGIC, in.readLong());
        assertEquals(Nbd.IHAVEOPT, in.readLong());
        in.readUnsignedShort();
        out.writeInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES);
        return this;
    }

    void option(int option, byte[] data) throws IOException {
        out.writeLong(Nbd.IHAVEOPT);
        out.writeInt(option);
        out.writeInt(data.length);
        out.write(data);
        out.flush();
    }

    record OptionReply(int option, int type, byte[] data) {
    }

    OptionReply reply() throws IOException {
        assertEquals(Nbd.REPLY_MAGIC, in.readLong());
        int opt = in.readInt();
        int type = in.readInt();
        byte[] d = new byte[in.readInt()];
        in.readFully(d);
        return new OptionReply(opt, type, d);
    }

    static byte[] goData(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + n.length + 2).putInt(n.length).put(n).putShort((short) 0).array();
    }

    static byte[] metaData(String name, String... queries) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int len = 4 + n.length + 4;
        for (String q : queries) {
            len += 4 + q.length();
        }
        ByteBuffer b = ByteBuffer.allocate(len).putInt(n.length).put(n).putInt(queries.length);
        for (String q : queries) {
            b.putInt(q.length()).put(q.getBytes(StandardCharsets.UTF_8));
        }
        return b.array();
    }

    /** GO on {@code name}: reads replies up to the ACK; returns the export size. */
    long go(String name) throws IOException {
        option(Nbd.OPT_GO, goData(name));
        long size = -1;
        while (true) {
            OptionReply r = reply();
            if (r.type() == Nbd.REP_ACK) {
                return size;
            }
            assertEquals(Nbd.REP_INFO, r.type(), () -> "GO failed: " + new String(r.data(), StandardCharsets.UTF_8));
            ByteBuffer b = ByteBuffer.wrap(r.data());
            if (b.getShort() == Nbd.INFO_EXPORT) {
                size = b.getLong();
            }
        }
    }

    void request(int flags, int type, long cookie, long offset, int length) throws IOException {
        out.writeInt(Nbd.REQUEST_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeLong(offset);
        out.writeInt(length);
        out.flush();
    }

    /** A simple reply's error code (after checking magic and cookie). */
    int simpleReply(long cookie) throws IOException {
        assertEquals(Nbd.SIMPLE_REPLY_MAGIC, in.readInt());
        int err = in.readInt();
        assertEquals(cookie, in.readLong());
        return err;
    }

    /** True if the server closed the connection (reads end of stream). */
    boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** True if the server closes the connection within {@code millis} (false if it is still open then). */
    boolean closedWithin(int millis) throws IOException {
        int was = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(was);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
