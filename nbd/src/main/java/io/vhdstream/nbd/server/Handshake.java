package io.vhdstream.nbd.server;

import io.vhdstream.nbd.export.Export;
import io.vhdstream.nbd.export.ExportCatalog;
import io.vhdstream.nbd.protocol.Nbd;
import io.vhdstream.nbd.protocol.Replies;
import io.vhdstream.nbd.protocol.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLSocket;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixed newstyle handshake and option haggling: EXPORT_NAME, ABORT, LIST, STARTTLS, INFO, GO,
 * STRUCTURED_REPLY, LIST_META_CONTEXT and SET_META_CONTEXT. Every malformed option gets an error reply and
 * the haggling goes on; the connection is closed only where the protocol leaves no way to answer (a bad
 * magic, unknown client flags, EXPORT_NAME of a missing export) or the client floods options.
 */
final class Handshake {
    private static final Logger log = LoggerFactory.getLogger(Handshake.class);
    static final int BASE_ALLOCATION_ID = 1;
    /** Longest option payload read: an export name is at most 4096 bytes, plus a few meta context queries. */
    static final int MAX_OPTION_LENGTH = 64 * 1024;
    private static final int MAX_LISTED = 10_000;

    private final Wire wire;
    private final Replies replies;
    private final ExportCatalog catalog;
    private final ServerSettings settings;
    private boolean tlsDone;
    private boolean structured;
    private String metaExport;
    private boolean baseAllocation;

    Handshake(Wire wire, ExportCatalog catalog, ServerSettings settings) {
        this.wire = wire;
        this.replies = new Replies(wire);
        this.catalog = catalog;
        this.settings = settings;
    }

    /** The export chosen, or null when the client aborted or must be disconnected. */
    Negotiated run() throws IOException {
        DataOutputStream out = wire.out();
        out.writeLong(Nbd.NBDMAGIC);
        out.writeLong(Nbd.IHAVEOPT);
        out.writeShort(Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES);
        out.flush();
        int clientFlags = wire.in().readInt();
        if ((clientFlags & ~(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES)) != 0
                || (clientFlags & Nbd.FLAG_C_FIXED_NEWSTYLE) == 0) {
            log.info("{}: client flags {} not fixed newstyle; closing", peer(), clientFlags);
            return null;
        }
        boolean noZeroes = (clientFlags & Nbd.FLAG_C_NO_ZEROES) != 0;
        for (int n = 0; ; n++) {
            if (wire.in().readLong() != Nbd.IHAVEOPT) {
                log.info("{}: bad option magic; closing", peer());
                return null;
            }
            int option = wire.in().readInt();
            long length = wire.in().readInt() & 0xffffffffL;
            if (n >= settings.maxOptions()) {
                wire.skip(length);
                replies.optionError(option, Nbd.REP_ERR_POLICY, "too many options on one connection");
                log.info("{}: more than {} options; closing", peer(), settings.maxOptions());
                return null;
            }
            if (length > MAX_OPTION_LENGTH) {
                wire.skip(length);
                replies.optionError(option, Nbd.REP_ERR_TOO_BIG, "option data of " + length + " bytes exceeds " + MAX_OPTION_LENGTH);
                continue;
            }
            byte[] data = new byte[(int) length];
            wire.readFully(data, 0, data.length);
            if (settings.tls() != null && !tlsDone && option != Nbd.OPT_STARTTLS && option != Nbd.OPT_ABORT) {
                if (option == Nbd.OPT_EXPORT_NAME) {
                    return null;   // no error reply exists for EXPORT_NAME
                }
                replies.optionError(option, Nbd.REP_ERR_TLS_REQD, "this server requires TLS (NBD_OPT_STARTTLS)");
                continue;
            }
            try {
                switch (option) {
                    case Nbd.OPT_EXPORT_NAME -> {
                        return exportName(data, noZeroes);
                    }
                    case Nbd.OPT_ABORT -> {
                        replies.ack(option);
                        return null;
                    }
                    case Nbd.OPT_LIST -> list(data);
                    case Nbd.OPT_STARTTLS -> startTls(data);
                    case Nbd.OPT_INFO, Nbd.OPT_GO -> {
                        Negotiated chosen = infoOrGo(option, data);
                        if (chosen != null) {
                            return chosen;
                        }
                    }
                    case Nbd.OPT_STRUCTURED_REPLY -> {
                        if (data.length != 0) {
                            throw new Invalid("NBD_OPT_STRUCTURED_REPLY takes no data");
                        }
                        structured = true;
                        replies.ack(option);
                    }
                    case Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_SET_META_CONTEXT -> metaContext(option, data);
                    default -> replies.optionError(option, Nbd.REP_ERR_UNSUP, "option " + option + " is not supported");
                }
            } catch (Invalid e) {
                replies.optionError(option, Nbd.REP_ERR_INVALID, e.getMessage());
            }
        }
    }

    /** A malformed option: NBD_REP_ERR_INVALID with this message. */
    private static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    private Negotiated exportName(byte[] data, boolean noZeroes) throws IOException {
        String name;
        try {
            name = utf8(data, 0, data.length);
        } catch (Invalid e) {
            return null;
        }
        Export export = openQuietly(name);
        if (export == null) {
            return null;   // EXPORT_NAME has no error reply: the protocol says to close
        }
        DataOutputStream out = wire.out();
        out.writeLong(export.size());
        out.writeShort(transmissionFlags(export));
        if (!noZeroes) {
            out.write(new byte[124]);
        }
        out.flush();
        return new Negotiated(export, structured, baseAllocation && name.equals(metaExport));
    }

    private void list(byte[] data) throws IOException, Invalid {
        if (data.length != 0) {
            throw new Invalid("NBD_OPT_LIST takes no data");
        }
        for (String name : catalog.names(MAX_LISTED)) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            replies.option(Nbd.OPT_LIST, Nbd.REP_SERVER, ByteBuffer.allocate(4 + n.length).putInt(n.length).put(n).array());
        }
        replies.ack(Nbd.OPT_LIST);
    }

    private void startTls(byte[] data) throws IOException, Invalid {
        if (settings.tls() == null) {
            replies.optionError(Nbd.OPT_STARTTLS, Nbd.REP_ERR_UNSUP, "TLS is not configured on this server");
            return;
        }
        if (data.length != 0 || tlsDone) {
            throw new Invalid(tlsDone ? "TLS is already on" : "NBD_OPT_STARTTLS takes no data");
        }
        replies.ack(Nbd.OPT_STARTTLS);
        var raw = wire.socket();
        SSLSocket tls = (SSLSocket) settings.tls().getSocketFactory().createSocket(raw,
                raw.getInetAddress().getHostAddress(), raw.getPort(), true);
        tls.setUseClientMode(false);
        tls.startHandshake();
        wire.use(tls);
        tlsDone = true;
        // Nothing negotiated in plaintext carries over (the spec: the client starts over after STARTTLS).
        structured = false;
        baseAllocation = false;
        metaExport = null;
    }

    private Negotiated infoOrGo(int option, byte[] data) throws IOException, Invalid {
        ByteBuffer b = ByteBuffer.wrap(data);
        String name = name(b);
        if (b.remaining() < 2) {
            throw new Invalid("the option ends before its information request count");
        }
        int count = b.getShort() & 0xffff;
        if (b.remaining() != 2 * count) {
            throw new Invalid("the option's length does not match its " + count + " information requests");
        }
        boolean wantName = false;
        for (int i = 0; i < count; i++) {
            wantName |= b.getShort() == Nbd.INFO_NAME;
        }
        Export export = openOrRefuse(option, name);
        if (export == null) {
            return null;
        }
        boolean keep = false;
        try {
            replies.option(option, Nbd.REP_INFO, ByteBuffer.allocate(12).putShort((short) Nbd.INFO_EXPORT)
                    .putLong(export.size()).putShort((short) transmissionFlags(export)).array());
            if (wantName) {
                byte[] n = name.getBytes(StandardCharsets.UTF_8);
                replies.option(option, Nbd.REP_INFO, ByteBuffer.allocate(2 + n.length).putShort((short) Nbd.INFO_NAME).put(n).array());
            }
            // Sent whether asked or not (the spec allows it): clients that honour it never send unaligned requests.
            replies.option(option, Nbd.REP_INFO, ByteBuffer.allocate(14).putShort((short) Nbd.INFO_BLOCK_SIZE)
                    .putInt(export.minBlock()).putInt(ServerSettings.PREFERRED_BLOCK).putInt(ServerSettings.MAX_PAYLOAD).array());
            replies.ack(option);
            if (option == Nbd.OPT_GO) {
                keep = true;
                return new Negotiated(export, structured, baseAllocation && name.equals(metaExport));
            }
            return null;
        } finally {
            if (!keep) {
                export.close();
            }
        }
    }

    private void metaContext(int option, byte[] data) throws IOException, Invalid {
        if (!structured) {
            throw new Invalid("meta contexts need NBD_OPT_STRUCTURED_REPLY first");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        String name = name(b);
        if (b.remaining() < 4) {
            throw new Invalid("the option ends before its query count");
        }
        long count = b.getInt() & 0xffffffffL;
        List<String> queries = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            queries.add(string(b, "query"));
        }
        if (b.hasRemaining()) {
            throw new Invalid("the option has " + b.remaining() + " bytes after its queries");
        }
        try (Export export = openOrRefuse(option, name)) {
            if (export == null) {
                return;
            }
        }
        boolean list = option == Nbd.OPT_LIST_META_CONTEXT;
        boolean base = list && queries.isEmpty();
        for (String q : queries) {
            base |= q.equals(Nbd.BASE_ALLOCATION) || (list && q.equals("base:"));
        }
        if (base) {
            byte[] n = Nbd.BASE_ALLOCATION.getBytes(StandardCharsets.UTF_8);
            replies.option(option, Nbd.REP_META_CONTEXT, ByteBuffer.allocate(4 + n.length)
                    .putInt(list ? 0 : BASE_ALLOCATION_ID).put(n).array());
        }
        if (!list) {
            baseAllocation = base;
            metaExport = name;
        }
        replies.ack(option);
    }

    /** The export, or null after an NBD_REP_ERR_UNKNOWN that says why there is none. */
    private Export openOrRefuse(int option, String name) throws IOException {
        try {
            Export e = catalog.open(name);
            if (e == null) {
                replies.optionError(option, Nbd.REP_ERR_UNKNOWN, "no export named '" + name + "'");
            }
            return e;
        } catch (IOException | RuntimeException e) {
            log.warn("export '{}' cannot be opened: {}", name, e.toString());
            replies.optionError(option, Nbd.REP_ERR_UNKNOWN, "export '" + name + "' cannot be opened: " + e.getMessage());
            return null;
        }
    }

    /** The export, or null if there is none or it cannot be opened (the reason is logged). */
    private Export openQuietly(String name) {
        try {
            return catalog.open(name);
        } catch (IOException | RuntimeException e) {
            log.warn("export '{}' cannot be opened: {}", name, e.toString());
            return null;
        }
    }

    static int transmissionFlags(Export e) {
        int f = Nbd.TF_HAS_FLAGS | Nbd.TF_SEND_FLUSH | Nbd.TF_SEND_FUA | Nbd.TF_SEND_DF;
        f |= e.readOnly() ? Nbd.TF_READ_ONLY : Nbd.TF_SEND_TRIM | Nbd.TF_SEND_WRITE_ZEROES;
        if (e.multiConn()) {
            f |= Nbd.TF_CAN_MULTI_CONN;
        }
        return f;
    }

    private static String name(ByteBuffer b) throws Invalid {
        return string(b, "export name");
    }

    /** A 32-bit length and that many UTF-8 bytes (at most 4096, as the spec bounds strings). */
    private static String string(ByteBuffer b, String what) throws Invalid {
        if (b.remaining() < 4) {
            throw new Invalid("the option ends before the " + what + "'s length");
        }
        long len = b.getInt() & 0xffffffffL;
        if (len > 4096 || len > b.remaining()) {
            throw new Invalid("the " + what + "'s length " + len + " exceeds " + Math.min(4096, b.remaining()));
        }
        String s = utf8(b.array(), b.position(), (int) len);
        b.position(b.position() + (int) len);
        return s;
    }

    private static String utf8(byte[] a, int off, int len) throws Invalid {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(a, off, len)).toString();
        } catch (CharacterCodingException e) {
            throw new Invalid("a string is not valid UTF-8");
        }
    }

    private String peer() {
        return wire.socket().getRemoteSocketAddress().toString();
    }
}
