package io.vhdstream.nbd;

import io.vhdstream.embedded.EmbeddedBroker;
import io.vhdstream.nbd.protocol.Nbd;
import io.vhdstream.nbd.server.ServerSettings;
import io.vhdstream.topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A read-write export while its broker is down (docs/decisions.md, NBD server): FLUSH and FUA get EIO once
 * Kafka gives up on a write (delivery.timeout.ms), the export is then fenced (writes and flushes EIO, reads go
 * on) also after the broker is back, and a restarted server reconciles with the log: what FLUSH acknowledged
 * is there, the write that was never acknowledged is there whole or not at all.
 */
class BrokerOutageIT {
    private static final int KIB64 = 64 * 1024;

    @TempDir
    Path tmp;

    private NbdService start(EmbeddedBroker broker) throws Exception {
        Map<String, Object> client = new HashMap<>(broker.clientSettings());
        client.put("delivery.timeout.ms", 8000);   // what --set delivery.timeout.ms=8000 gives: EIO after 8 s, not 2 min
        client.put("request.timeout.ms", 3000);
        client.put("max.block.ms", 5000);
        return NbdService.start(new NbdService.Config(ServerSettings.localhost(0), client, Topics.COMMANDS,
                tmp.resolve("state"), Map.of("d", 1L << 20), List.of(), List.of(), null,
                new java.net.InetSocketAddress("127.0.0.1", 0)));
    }

    @Test
    void aStoppedBrokerGivesEioAndFencesTheExportUntilARestart() throws Exception {
        EmbeddedBroker broker = EmbeddedBroker.start(tmp.resolve("kafka"), 0);
        int port = Integer.parseInt(broker.bootstrapServers().substring(broker.bootstrapServers().lastIndexOf(':') + 1));
        broker.createTopics(Map.of(Topics.COMMANDS, 1));
        try {
            try (NbdService s = start(broker); RawClient c = new RawClient(s.port()).greet()) {
                c.go("d");
                write(c, 1, 0, (byte) 0x11, 0);
                c.request(0, Nbd.CMD_FLUSH, 2, 0, 0);
                assertEquals(0, c.simpleReply(2), "flush with the broker up");

                broker.close();
                assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
                    write(c, 3, KIB64, (byte) 0x22, 0);                        // sent, not waited for
                    c.request(0, Nbd.CMD_FLUSH, 4, 0, 0);
                    assertEquals(Nbd.EIO, c.simpleReply(4), "flush once Kafka gave up on the write");
                    c.request(Nbd.CMD_FLAG_FUA, Nbd.CMD_WRITE, 5, 2 * KIB64, KIB64);
                    c.out.write(fill((byte) 0x33));
                    c.out.flush();
                    assertEquals(Nbd.EIO, c.simpleReply(5), "FUA write on a fenced export");
                });
                assertArrayEquals(fill((byte) 0x11), read(c, 6, 0), "reads go on");

                broker = EmbeddedBroker.start(tmp.resolve("kafka"), port);
                c.request(0, Nbd.CMD_FLUSH, 7, 0, 0);
                assertEquals(Nbd.EIO, c.simpleReply(7), "still fenced with the broker back: only a restart reconciles");
            }
            try (NbdService s = start(broker); RawClient c = new RawClient(s.port()).greet()) {
                c.go("d");
                assertArrayEquals(fill((byte) 0x11), read(c, 1, 0), "what FLUSH acknowledged survives");
                byte[] unacked = read(c, 2, KIB64);
                assertTrue(Arrays.equals(unacked, fill((byte) 0x22)) || Arrays.equals(unacked, new byte[KIB64]),
                        "the unacknowledged write is whole or absent");
                assertArrayEquals(new byte[KIB64], read(c, 3, 2 * KIB64), "the refused FUA write is absent");
                write(c, 4, 2 * KIB64, (byte) 0x44, Nbd.CMD_FLAG_FUA);
                assertEquals(0, c.simpleReply(4), "writes work again after the restart");
            }
        } finally {
            broker.close();
        }
    }

    private static byte[] fill(byte b) {
        byte[] d = new byte[KIB64];
        Arrays.fill(d, b);
        return d;
    }

    /** A 64 KiB WRITE; without FUA its reply is read here, with FUA the caller reads it. */
    private static void write(RawClient c, long cookie, long offset, byte value, int flags) throws Exception {
        c.request(flags, Nbd.CMD_WRITE, cookie, offset, KIB64);
        c.out.write(fill(value));
        c.out.flush();
        if (flags == 0) {
            assertEquals(0, c.simpleReply(cookie), "a write without FUA completes at once");
        }
    }

    private static byte[] read(RawClient c, long cookie, long offset) throws Exception {
        c.request(0, Nbd.CMD_READ, cookie, offset, KIB64);
        assertEquals(0, c.simpleReply(cookie));
        byte[] got = new byte[KIB64];
        c.in.readFully(got);
        return got;
    }
}
