package io.vhdstream.nbd;

import io.vhdstream.embedded.EmbeddedBroker;
import io.vhdstream.nbd.protocol.Nbd;
import io.vhdstream.topology.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the server (a child JVM) while a client writes: after a restart every sector reads as it was at
 * the last completed FLUSH or as one of the writes sent after it (never a torn sector), and the restarted
 * server's local state equals a replay of the log from nothing.
 */
class ServerKillIT {
    static final int SIZE = 8 * 1024 * 1024;
    static final int BLOCK = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void readsAfterKillAreTheLastFlushOrLaterWritesNeverTorn() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(tmp.resolve("kafka"), 0)) {
            broker.createTopics(Map.of(Topics.COMMANDS, 2));
            Path state = tmp.resolve("state");
            int port = freePort();
            byte[] flushed = new byte[SIZE];
            List<Set<Byte>> later = new ArrayList<>();   // per sector: values written after the last flush
            for (int i = 0; i < SIZE / 512; i++) {
                later.add(new HashSet<>());
            }
            Process server = serve(broker, state, port);
            Random rnd = new Random(11);
            try (RawClient c = new RawClient(port).greet()) {
                c.go("k");
                long cookie = 0;
                byte[] current = new byte[SIZE];
                for (int round = 1; round <= 6; round++) {
                    for (int w = 0; w < 24; w++) {
                        write(c, ++cookie, rnd.nextInt(SIZE / BLOCK) * BLOCK, (byte) (round * 16 + w % 16), current);
                    }
                    c.request(0, Nbd.CMD_FLUSH, ++cookie, 0, 0);
                    assertEquals(0, c.simpleReply(cookie));
                    System.arraycopy(current, 0, flushed, 0, SIZE);
                }
                // writes after the last flush, not waited for; the server dies among them
                for (int w = 0; w < 64; w++) {
                    int at = rnd.nextInt(SIZE / BLOCK) * BLOCK;
                    byte v = (byte) (0xa0 + w % 16);
                    for (int s = at / 512; s < (at + BLOCK) / 512; s++) {
                        later.get(s).add(v);
                    }
                    c.request(0, Nbd.CMD_WRITE, ++cookie, at, BLOCK);
                    byte[] d = new byte[BLOCK];
                    Arrays.fill(d, v);
                    c.out.write(d);
                    if (w < 32) {   // completed (sent to Kafka, not yet known durable) ...
                        c.out.flush();
                        assertEquals(0, c.simpleReply(cookie));
                    }
                    if (w == 40) {  // ... and some still on the wire
                        c.out.flush();
                        server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);   // kill -9
                        break;
                    }
                }
            } catch (java.io.IOException expected) {
                // the connection died with the server
            } finally {
                server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            Process again = serve(broker, state, port);
            byte[] afterRestart;
            try {
                afterRestart = readAll(port);
            } finally {
                again.destroy();
                again.waitFor(60, TimeUnit.SECONDS);
            }
            int fromLater = 0;
            for (int s = 0; s < SIZE / 512; s++) {
                byte v = afterRestart[s * 512];
                for (int i = 1; i < 512; i++) {
                    assertEquals(v, afterRestart[s * 512 + i], "sector " + s + " is torn");
                }
                boolean ok = v == flushed[s * 512] || later.get(s).contains(v);
                assertTrue(ok, "sector " + s + " reads " + v + ", neither the flushed " + flushed[s * 512] + " nor a later write");
                fromLater += v != flushed[s * 512] ? 1 : 0;
            }
            System.out.println("kill test: " + fromLater + " sectors hold writes sent after the last flush");
            // The local state the restarted server kept equals the log replayed from nothing.
            Process fresh = serve(broker, tmp.resolve("state-fresh"), port);
            try {
                assertArrayEquals(afterRestart, readAll(port));
            } finally {
                fresh.destroy();
                fresh.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    private static void write(RawClient c, long cookie, int at, byte v, byte[] model) throws Exception {
        byte[] d = new byte[BLOCK];
        Arrays.fill(d, v);
        c.request(0, Nbd.CMD_WRITE, cookie, at, BLOCK);
        c.out.write(d);
        c.out.flush();
        assertEquals(0, c.simpleReply(cookie));
        System.arraycopy(d, 0, model, at, BLOCK);
    }

    private static byte[] readAll(int port) throws Exception {
        byte[] all = new byte[SIZE];
        try (RawClient c = new RawClient(port).greet()) {
            assertEquals(SIZE, c.go("k"));
            for (int at = 0, cookie = 1; at < SIZE; at += 1 << 20, cookie++) {
                c.request(0, Nbd.CMD_READ, cookie, at, 1 << 20);
                assertEquals(0, c.simpleReply(cookie));
                c.in.readFully(all, at, 1 << 20);
            }
        }
        return all;
    }

    private static Process serve(EmbeddedBroker broker, Path state, int port) throws Exception {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), ServeMain.class.getName(), broker.bootstrapServers(), state.toString(),
                Integer.toString(port), "k", Integer.toString(SIZE));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = r.readLine()) != null && !line.startsWith("ready")) {
            seen.append(line).append('\n');
        }
        assertTrue(line != null, "the server did not start:\n" + seen);
        Thread drain = new Thread(() -> {
            try {
                while (r.readLine() != null) {
                    // keep the pipe from filling
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
