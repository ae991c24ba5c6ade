package io.vhdstream.nbd;

import io.vhdstream.nbd.export.SnapshotCatalog;
import io.vhdstream.nbd.protocol.Nbd;
import io.vhdstream.nbd.server.NbdConfigException;
import io.vhdstream.nbd.server.NbdServer;
import io.vhdstream.nbd.server.ServerSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * What a malformed or hostile client gets: an error reply where the protocol has one, a closed connection
 * where it has none, never a hang, and the next client is served.
 */
class HostileClientTest {
    @TempDir
    static Path tmp;
    static LayerFixture fixture;
    static NbdServer server;

    @BeforeAll
    static void start() throws Exception {
        fixture = LayerFixture.build(tmp.resolve("layers"), "d", 4, 1, 3);
        server = NbdServer.start(ServerSettings.localhost(0).withTimeout(Duration.ofSeconds(2)),
                new SnapshotCatalog(List.of(tmp.resolve("layers"))));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** The next, well-behaved client still gets its export and reads the right bytes. */
    private static void nextClientIsServed() throws Exception {
        try (RawClient c = new RawClient(server.port()).greet()) {
            assertEquals(fixture.size, c.go("d@s1"));
            c.request(0, Nbd.CMD_READ, 9, 0, 4096);
            assertEquals(0, c.simpleReply(9));
            byte[] got = new byte[4096];
            c.in.readFully(got);
            byte[] want = new byte[4096];
            System.arraycopy(fixture.snapshots.get("s1"), 0, want, 0, 4096);
            assertArrayEquals(want, got);
        }
    }

    @Test
    void unknownClientFlagsAndBadMagicCloseOnlyThatConnection() throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.in.readLong();
            c.in.readLong();
            c.in.readUnsignedShort();
            c.out.writeInt(0x80);
            c.out.flush();
            assertTrue(c.closedByServer());
        }
        try (RawClient c = new RawClient(server.port()).greet()) {
            // One write: the server closes as soon as it has read the bad magic, so a second write could meet a
            // reset socket (EPIPE) before the close is observed.
            c.out.write(ByteBuffer.allocate(16).putLong(0x1234).putInt(Nbd.OPT_GO).putInt(0).array());
            c.out.flush();
            assertTrue(c.closedByServer());
        }
        nextClientIsServed();
    }

    @Test
    void malformedOptionsGetErrorRepliesAndTheHagglingGoesOn() throws Exception {
        try (RawClient c = new RawClient(server.port()).greet()) {
            c.option(Nbd.OPT_GO, new byte[]{0, 0, 0, 100, 1});                 // name longer than the option
            assertEquals(Nbd.REP_ERR_INVALID, c.reply().type());
            c.option(Nbd.OPT_GO, RawClient.goData("d@missing"));
            assertEquals(Nbd.REP_ERR_UNKNOWN, c.reply().type());
            c.option(Nbd.OPT_GO, RawClient.goData("\u00e9t\u00e9@s1"));
            assertEquals(Nbd.REP_ERR_UNKNOWN, c.reply().type());
            c.option(Nbd.OPT_LIST, new byte[3]);
            assertEquals(Nbd.REP_ERR_INVALID, c.reply().type());
            c.option(Nbd.OPT_SET_META_CONTEXT, RawClient.metaData("d@s1", Nbd.BASE_ALLOCATION));
            assertEquals(Nbd.REP_ERR_INVALID, c.reply().type(), "meta contexts need structured replies first");
            c.option(Nbd.OPT_STARTTLS, new byte[0]);
            assertEquals(Nbd.REP_ERR_UNSUP, c.reply().type());
            c.option(99, new byte[10]);
            assertEquals(Nbd.REP_ERR_UNSUP, c.reply().type());
            c.option(Nbd.OPT_INFO, new byte[1 << 20]);                          // 1 MiB: read, dropped, refused
            assertEquals(Nbd.REP_ERR_TOO_BIG, c.reply().type());
            assertEquals(fixture.size, c.go("d@s1"));
        }
    }

    @Test
    void anOptionFloodIsCutOff() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (RawClient c = new RawClient(server.port()).greet()) {
                // Sent at once, not one round trip each: the flood must beat the handshake deadline under load.
                for (int i = 0; i <= 256; i++) {   // the server's limit (256) plus the one it refuses: none left unread
                    c.out.writeLong(Nbd.IHAVEOPT);
                    c.out.writeInt(99);
                    c.out.writeInt(0);
                }
                c.out.flush();
                int replies = 0;
                while (true) {
                    RawClient.OptionReply r = c.reply();
                    replies++;
                    if (r.type() == Nbd.REP_ERR_POLICY) {
                        break;
                    }
                }
                assertTrue(replies > 100, "replies " + replies);
                assertTrue(c.closedByServer());
            }
        });
        nextClientIsServed();
    }

    @Test
    void aStalledClientIsDisconnected() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (RawClient c = new RawClient(server.port()).greet()) {
                c.out.writeLong(Nbd.IHAVEOPT);   // half an option header, then nothing
                c.out.flush();
                assertTrue(c.closedByServer());
            }
        });
        nextClientIsServed();
    }

    @Test
    void aSilentClientIsCutAtTheHandshakeDeadline() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (RawClient c = new RawClient(server.port())) {
                c.in.readFully(new byte[18]);   // the greeting; then the client says nothing
                assertTrue(c.closedWithin(15_000), "still open after 15 s");
            }
        });
        nextClientIsServed();
    }

    /** One byte every 0.5 s never trips the 2 s read timeout; only the whole-handshake deadline ends it. */
    @Test
    void aDribblingClientIsCutAtTheHandshakeDeadline() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(40), () -> {
            try (RawClient c = new RawClient(server.port()).greet()) {
                byte[] endless = ByteBuffer.allocate(16 + 40).putLong(Nbd.IHAVEOPT).putInt(Nbd.OPT_GO).putInt(40).array();
                boolean cut = false;
                long t0 = System.nanoTime();
                for (int i = 0; i < endless.length && !cut; i++) {
                    try {
                        c.out.write(endless[i]);
                        c.out.flush();
                        cut = c.closedWithin(500);
                    } catch (java.io.IOException e) {
                        cut = true;
                    }
                }
                assertTrue(cut, "the server kept a dribbling client for " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            }
        });
        nextClientIsServed();
    }

    @Test
    void badRequestsGetErrorsAndTheConnectionGoesOn() throws Exception {
        try (RawClient c = new RawClient(server.port()).greet()) {
            c.go("d@s1");
            c.request(0, Nbd.CMD_READ, 1, fixture.size - 512, 1024);
            assertEquals(Nbd.EINVAL, c.simpleReply(1), "read past the end");
            c.request(0, Nbd.CMD_READ, 2, -512, 512);
            assertEquals(Nbd.EINVAL, c.simpleReply(2), "offset beyond 2^63");
            c.request(0, Nbd.CMD_READ, 3, 0, 0);
            assertEquals(Nbd.EINVAL, c.simpleReply(3), "zero length");
            c.request(0, Nbd.CMD_READ, 4, 0, 64 << 20);
            assertEquals(Nbd.EINVAL, c.simpleReply(4), "larger than the maximum");
            c.request(1 << 12, Nbd.CMD_READ, 5, 0, 512);
            assertEquals(Nbd.EINVAL, c.simpleReply(5), "unknown flag");
            c.request(0, 42, 6, 0, 512);
            assertEquals(Nbd.EINVAL, c.simpleReply(6), "unknown command");
            c.request(0, Nbd.CMD_BLOCK_STATUS, 7, 0, 512);
            assertEquals(Nbd.EINVAL, c.simpleReply(7), "no meta context");
            c.request(0, Nbd.CMD_WRITE, 8, 0, 4096);
            c.out.write(new byte[4096]);
            c.out.flush();
            assertEquals(Nbd.EPERM, c.simpleReply(8), "read-only");
            c.request(0, Nbd.CMD_TRIM, 10, 0, 4096);
            assertEquals(Nbd.EPERM, c.simpleReply(10), "read-only");
            c.request(0, Nbd.CMD_FLUSH, 11, 0, 0);
            assertEquals(0, c.simpleReply(11));
            c.request(0, Nbd.CMD_READ, 12, 0, 512);
            assertEquals(0, c.simpleReply(12));
            c.in.readFully(new byte[512]);
            c.request(0, Nbd.CMD_DISC, 13, 0, 0);
            assertTrue(c.closedByServer());
        }
        nextClientIsServed();
    }

    @Test
    void blockStatusWithReqOneGivesOneDescriptor() throws Exception {
        try (RawClient c = new RawClient(server.port()).greet()) {
            c.option(Nbd.OPT_STRUCTURED_REPLY, new byte[0]);
            assertEquals(Nbd.REP_ACK, c.reply().type());
            c.option(Nbd.OPT_SET_META_CONTEXT, RawClient.metaData("d@s1", Nbd.BASE_ALLOCATION, "qemu:dirty-bitmap:x"));
            RawClient.OptionReply ctx = c.reply();
            assertEquals(Nbd.REP_META_CONTEXT, ctx.type());
            int id = ByteBuffer.wrap(ctx.data()).getInt();
            assertEquals(Nbd.REP_ACK, c.reply().type());
            c.go("d@s1");
            c.request(Nbd.CMD_FLAG_REQ_ONE, Nbd.CMD_BLOCK_STATUS, 1, 0, (int) fixture.size);
            assertEquals(Nbd.STRUCTURED_REPLY_MAGIC, c.in.readInt());
            assertEquals(Nbd.REPLY_FLAG_DONE, c.in.readUnsignedShort());
            assertEquals(Nbd.REPLY_TYPE_BLOCK_STATUS, c.in.readUnsignedShort());
            assertEquals(1, c.in.readLong());
            assertEquals(12, c.in.readInt(), "context id and one descriptor");
            assertEquals(id, c.in.readInt());
            assertTrue(c.in.readInt() > 0);
            c.in.readInt();
        }
    }

    @Test
    void plaintextOnlyOnLoopbackUnlessInsecureIsSaid() throws Exception {
        ServerSettings any = ServerSettings.of(new InetSocketAddress("0.0.0.0", 10809), null);
        NbdConfigException e = assertThrows(NbdConfigException.class, () -> any.requireSafe(false));
        assertTrue(e.getMessage().contains("--insecure-plaintext"), e.getMessage());
        assertDoesNotThrow(() -> any.requireSafe(true));
        assertDoesNotThrow(() -> ServerSettings.localhost(10809).requireSafe(false));
    }
}
