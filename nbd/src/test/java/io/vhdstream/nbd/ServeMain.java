package io.vhdstream.nbd;

import io.vhdstream.nbd.server.ServerSettings;
import io.vhdstream.topology.Topics;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The server in a child JVM for the kill test: {@code ServeMain BOOTSTRAP STATE_DIR PORT DISK SIZE}. */
public final class ServeMain {
    private ServeMain() {
    }

    public static void main(String[] args) throws Exception {
        NbdService s = NbdService.start(new NbdService.Config(ServerSettings.localhost(Integer.parseInt(args[2])),
                Map.of("bootstrap.servers", args[0]), Topics.COMMANDS, Path.of(args[1]), Map.of(args[3], Long.parseLong(args[4])),
                List.of(), List.of(), null, new InetSocketAddress("127.0.0.1", 0)));
        System.out.println("ready " + s.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
