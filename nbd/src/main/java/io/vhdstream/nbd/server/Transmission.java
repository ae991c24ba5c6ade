package io.vhdstream.nbd.server;

import io.vhdstream.nbd.export.Export;
import io.vhdstream.nbd.protocol.Nbd;
import io.vhdstream.nbd.protocol.NbdError;
import io.vhdstream.nbd.protocol.Replies;
import io.vhdstream.nbd.protocol.Request;
import io.vhdstream.nbd.protocol.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The transmission phase of one connection: requests are read, checked (flags, range, alignment, size) and
 * answered in order. A bad request gets an error reply (EINVAL, ENOSPC, EPERM) and the connection goes on;
 * a backend failure is EIO. Only a bad request magic ends the connection: after it nothing can be parsed.
 */
final class Transmission {
    private static final Logger log = LoggerFactory.getLogger(Transmission.class);
    private static final int KNOWN_FLAGS = Nbd.CMD_FLAG_FUA | Nbd.CMD_FLAG_NO_HOLE | Nbd.CMD_FLAG_DF
            | Nbd.CMD_FLAG_REQ_ONE | Nbd.CMD_FLAG_FAST_ZERO;
    /** Most extents in one block status reply; the client asks again for the rest. */
    private static final int MAX_DESCRIPTORS = 8192;
    /** Buffers up to this size are kept for the next request; larger ones are dropped after use. */
    private static final int KEPT_BUFFER = 4 * 1024 * 1024;

    private final Wire wire;
    private final Replies replies;
    private final Negotiated n;
    private final Export export;
    private final int requestTimeoutMs;
    private ByteBuffer kept;

    Transmission(Wire wire, Negotiated n, ServerSettings settings) {
        this.wire = wire;
        this.replies = new Replies(wire);
        this.n = n;
        this.export = n.export();
        this.requestTimeoutMs = (int) settings.handshakeTimeout().toMillis();
    }

    void run() throws IOException {
        DataInputStream in = wire.in();
        while (true) {
            if (in.available() == 0) {
                wire.flush();
                wire.timeout(0);   // an idle client (a VM that does not touch its disk) may wait forever
            }
            int first = in.read();
            if (first < 0) {
                return;
            }
            wire.timeout(requestTimeoutMs);
            int magic = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedShort());
            Request r = new Request(in.readUnsignedShort(), in.readUnsignedShort(), in.readLong(), in.readLong(),
                    in.readInt() & 0xffffffffL);
            if (magic != Nbd.REQUEST_MAGIC) {
                log.info("{}: bad request magic {}; closing", export.name(), Integer.toHexString(magic));
                return;
            }
            if (r.type() == Nbd.CMD_DISC) {
                wire.flush();
                return;
            }
            handle(r);
        }
    }

    private void handle(Request r) throws IOException {
        ByteBuffer payload = null;
        if (r.type() == Nbd.CMD_WRITE) {
            if (r.length() > ServerSettings.MAX_PAYLOAD) {
                wire.skip(r.length());
                error(r, new NbdError(Nbd.EINVAL, "write of " + r.length() + " bytes exceeds the maximum " + ServerSettings.MAX_PAYLOAD));
                return;
            }
            payload = buffer((int) r.length());
            wire.readFully(payload.array(), payload.arrayOffset(), payload.remaining());
        }
        try {
            check(r);
            switch (r.type()) {
                case Nbd.CMD_READ -> read(r);
                case Nbd.CMD_WRITE -> {
                    export.write(r.offset(), payload, r.has(Nbd.CMD_FLAG_FUA));
                    replies.simple(r.cookie(), 0);
                }
                case Nbd.CMD_WRITE_ZEROES -> {
                    export.writeZeroes(r.offset(), r.length(), r.has(Nbd.CMD_FLAG_FUA));
                    replies.simple(r.cookie(), 0);
                }
                case Nbd.CMD_TRIM -> {
                    export.trim(r.offset(), r.length(), r.has(Nbd.CMD_FLAG_FUA));
                    replies.simple(r.cookie(), 0);
                }
                case Nbd.CMD_FLUSH -> {
                    export.flush();
                    replies.simple(r.cookie(), 0);
                }
                case Nbd.CMD_BLOCK_STATUS -> blockStatus(r);
                default -> throw new NbdError(Nbd.EINVAL, "command " + r.type() + " is not supported");
            }
        } catch (NbdError e) {
            error(r, e);
        } catch (IOException | RuntimeException e) {
            log.warn("{}: command {} at {} (+{}) failed", export.name(), r.type(), r.offset(), r.length(), e);
            error(r, new NbdError(Nbd.EIO, "the export failed: " + e.getMessage(), e));
        }
    }

    /** Flags, range and alignment, the same for every export. */
    private void check(Request r) throws NbdError {
        if ((r.flags() & ~KNOWN_FLAGS) != 0) {
            throw new NbdError(Nbd.EINVAL, "unknown command flags " + Integer.toHexString(r.flags()));
        }
        if (r.has(Nbd.CMD_FLAG_DF) && (r.type() != Nbd.CMD_READ || !n.structured())) {
            throw new NbdError(Nbd.EINVAL, "NBD_CMD_FLAG_DF is only for reads with structured replies");
        }
        if (r.type() == Nbd.CMD_FLUSH) {
            if (r.offset() != 0 || r.length() != 0) {
                throw new NbdError(Nbd.EINVAL, "a flush has neither offset nor length");
            }
            return;
        }
        boolean modifies = r.type() == Nbd.CMD_WRITE || r.type() == Nbd.CMD_WRITE_ZEROES || r.type() == Nbd.CMD_TRIM;
        if (modifies && export.readOnly()) {
            throw new NbdError(Nbd.EPERM, "export '" + export.name() + "' is read-only");
        }
        if (r.length() == 0) {
            throw new NbdError(Nbd.EINVAL, "a request of length 0");
        }
        if (r.end() < 0 || r.end() > export.size()) {
            throw new NbdError(modifies ? Nbd.ENOSPC : Nbd.EINVAL, "range [" + Long.toUnsignedString(r.offset()) + ", +"
                    + r.length() + ") lies outside the export's " + export.size() + " bytes");
        }
        if (r.type() == Nbd.CMD_READ && r.length() > ServerSettings.MAX_PAYLOAD) {
            throw new NbdError(Nbd.EINVAL, "read of " + r.length() + " bytes exceeds the maximum " + ServerSettings.MAX_PAYLOAD);
        }
        int min = export.minBlock();
        if (modifies && (r.offset() % min != 0 || r.length() % min != 0)) {
            throw new NbdError(Nbd.EINVAL, "writes must be aligned to " + min + " bytes (NBD_INFO_BLOCK_SIZE)");
        }
    }

    private void read(Request r) throws IOException {
        int len = (int) r.length();
        int min = export.minBlock();
        long start = r.offset() - r.offset() % min;
        long end = Math.min(export.size(), (r.end() + min - 1) / min * min);
        ByteBuffer b = buffer((int) (end - start));
        export.read(start, b.duplicate());
        b.position((int) (r.offset() - start)).limit((int) (r.offset() - start) + len);
        if (n.structured()) {
            replies.offsetData(r.cookie(), true, r.offset(), b);
        } else {
            replies.simpleRead(r.cookie(), b);
        }
    }

    private void blockStatus(Request r) throws IOException {
        if (!n.baseAllocation()) {
            throw new NbdError(Nbd.EINVAL, "no meta context was negotiated (NBD_OPT_SET_META_CONTEXT base:allocation)");
        }
        int max = r.has(Nbd.CMD_FLAG_REQ_ONE) ? 1 : MAX_DESCRIPTORS;
        long[] lengths = new long[max];
        int[] flags = new int[max];
        int[] count = {0};
        export.blockStatus(r.offset(), r.length(), (len, f) -> {
            lengths[count[0]] = len;
            flags[count[0]] = f;
            return ++count[0] < max;
        });
        if (count[0] == 0) {
            throw new NbdError(Nbd.EIO, "no allocation status for the range");
        }
        replies.blockStatus(r.cookie(), Handshake.BASE_ALLOCATION_ID, lengths, flags, count[0]);
    }

    private void error(Request r, NbdError e) throws IOException {
        if (n.structured() && (r.type() == Nbd.CMD_READ || r.type() == Nbd.CMD_BLOCK_STATUS)) {
            replies.structuredError(r.cookie(), e.errno(), e.getMessage());
        } else {
            replies.simple(r.cookie(), e.errno());
        }
    }

    /** A heap buffer of exactly {@code len} bytes (position 0, limit len), reused when small enough. */
    private ByteBuffer buffer(int len) {
        if (len > KEPT_BUFFER) {
            return ByteBuffer.allocate(len);
        }
        if (kept == null || kept.capacity() < len) {
            kept = ByteBuffer.allocate(Math.max(len, 1 << 20));
        }
        return kept.clear().limit(len);
    }
}
