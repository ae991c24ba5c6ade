package io.vhdstream.nbd.protocol;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * A client connection's byte streams (big-endian, as the protocol is) and its socket, which STARTTLS replaces
 * with a TLS socket over the same connection. Reads block at most {@link #timeout} milliseconds (0: forever).
 */
public final class Wire implements AutoCloseable {
    private Socket socket;
    private DataInputStream in;
    private DataOutputStream out;

    public Wire(Socket socket) throws IOException {
        use(socket);
    }

    /** Switches to {@code s} (a TLS socket layered over the current one). */
    public void use(Socket s) throws IOException {
        this.socket = s;
        this.in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 64 * 1024));
        this.out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 256 * 1024));
    }

    public Socket socket() {
        return socket;
    }

    public void timeout(int millis) throws SocketException {
        socket.setSoTimeout(millis);
    }

    public DataInputStream in() {
        return in;
    }

    public DataOutputStream out() {
        return out;
    }

    public void readFully(byte[] b, int off, int len) throws IOException {
        in.readFully(b, off, len);
    }

    /** Reads and drops {@code n} bytes (a payload the server refuses, to stay in step with the client). */
    public void skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 64 * 1024)];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(n, buf.length));
            if (r < 0) {
                throw new EOFException("the client closed the connection");
            }
            n -= r;
        }
    }

    public void write(ByteBuffer b) throws IOException {
        if (b.hasArray()) {
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        } else {
            byte[] tmp = new byte[b.remaining()];
            b.duplicate().get(tmp);
            out.write(tmp);
        }
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to tell the client
        }
    }
}
