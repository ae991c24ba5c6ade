package io.vhdstream.cli.demo;

import io.vhdstream.embedded.demo.DemoOptions;
import io.vhdstream.embedded.demo.DemoWriter;
import io.vhdstream.embedded.demo.Model;
import io.vhdstream.nbd.NbdService;
import io.vhdstream.nbd.admin.SnapshotRequest;
import io.vhdstream.nbd.export.SnapshotCatalog;
import io.vhdstream.nbd.server.NbdConfigException;
import io.vhdstream.nbd.server.NbdServer;
import io.vhdstream.nbd.server.ServerSettings;
import io.vhdstream.schemas.common.NameEncoding;
import io.vhdstream.topology.Topics;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code demo --nbd}: the demo disk written by real NBD clients through {@code vhdstream nbd serve}. Snapshot 1
 * is an existing image (seeded random data with holes) copied in with {@code qemu-img convert -n}; each later
 * one follows a {@code qemu-io} session of random writes, zero writes and discards; every snapshot is taken as
 * {@code vhdstream nbd snapshot} takes it. Afterwards each retained snapshot is read back over NBD with
 * {@code nbdcopy} from the topology's layers, the replica and a {@code rebuild --out} directory.
 */
public final class NbdDemoWriter implements DemoWriter {
    /** The external tools this mode runs, and the package that has them. */
    public static final Map<String, String> TOOLS = Map.of("qemu-img", "qemu-utils", "qemu-io", "qemu-utils",
            "nbdcopy", "libnbd-bin");
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(10);
    private static final int ALIGN = 4096;

    private NbdService service;

    /** The tools missing from PATH (empty when this mode can run). */
    public static List<String> missingTools() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> t : TOOLS.entrySet()) {
            if (!onPath(t.getKey())) {
                missing.add(t.getKey() + " (" + t.getValue() + ")");
            }
        }
        missing.sort(null);
        return missing;
    }

    @Override
    public String stageName() {
        return "NBD writes (qemu-img, qemu-io)";
    }

    @Override
    public void write(Map<String, Object> client, String diskId, DemoOptions options, Path dir, Model model, Progress progress)
            throws IOException {
        try {
            Map<String, Long> create = new LinkedHashMap<>();
            create.put(diskId, options.diskSize());
            service = NbdService.start(new NbdService.Config(ServerSettings.localhost(0), new HashMap<>(client), Topics.COMMANDS,
                    dir.resolve("nbd-state"), create, List.of(), List.of(), null, new InetSocketAddress("127.0.0.1", 0)));
        } catch (NbdConfigException e) {
            throw new IOException(e.getMessage(), e);
        }
        String url = url(service.port(), diskId);
        model.create(options.diskSize());
        SplittableRandom random = new SplittableRandom(options.seed());

        Path image = dir.resolve("existing-disk.raw");
        writeImage(image, options.diskSize(), random, model);
        run(List.of("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", image.toString(), url));
        Files.delete(image);
        progress.wrote(options.diskSize(), 1);
        snapshot(diskId, "s1", model);

        long perSession = Math.max(ALIGN, options.writeVolume() / options.snapshots());
        for (int s = 2; s <= options.snapshots(); s++) {
            List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
            long written = 0;
            int ops = 0;
            while (written < perSession) {
                long len = ALIGN * (1 + random.nextLong(Math.min(64, options.diskSize() / ALIGN)));
                long off = ALIGN * random.nextLong((options.diskSize() - len) / ALIGN + 1);
                int kind = random.nextInt(10);
                if (kind == 0) {
                    cmd.addAll(List.of("-c", "write -z " + off + " " + len));
                    model.zero(off, len);
                } else if (kind == 1) {
                    cmd.addAll(List.of("-c", "discard " + off + " " + len));
                    model.zero(off, len);
                } else {
                    int pattern = 1 + random.nextInt(255);
                    cmd.addAll(List.of("-c", "write -P " + pattern + " " + off + " " + len));
                    model.fill(off, len, (byte) pattern);
                    written += len;
                }
                ops++;
            }
            cmd.addAll(List.of("-c", "flush", url));
            run(cmd);
            progress.wrote(written, ops);
            snapshot(diskId, "s" + s, model);
        }
    }

    /** Seeded random data, with a hole (zeros) in about one 1 MiB stretch of four: holes reach NBD as zero writes or not at all. */
    private static void writeImage(Path image, long size, SplittableRandom random, Model model) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            byte[] chunk = new byte[1 << 20];
            for (long off = 0; off < size; off += chunk.length) {
                int n = (int) Math.min(chunk.length, size - off);
                if (random.nextInt(4) == 0) {
                    Arrays.fill(chunk, (byte) 0);
                } else {
                    random.nextBytes(chunk);
                }
                model.write(off, ByteBuffer.wrap(chunk, 0, n));
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
                while (b.hasRemaining()) {
                    ch.write(b, off + b.position());
                }
            }
        }
    }

    /** As {@code vhdstream nbd snapshot} does it: through the server's admin endpoint, once Kafka acknowledged it. */
    private void snapshot(String diskId, String id, Model model) throws IOException {
        SnapshotRequest.Answer a = SnapshotRequest.send(service.adminAddress(), diskId, id, "demo --nbd");
        if (!a.ok()) {
            throw new IOException("snapshot " + id + " of " + diskId + " failed: " + a.status() + " " + a.text());
        }
        model.snapshot(id);
    }

    @Override
    public void verify(Outputs o, CheckSink checks) throws IOException {
        Map<String, Path> sources = new LinkedHashMap<>();
        sources.put("topology layers", o.layers());
        sources.put("replica", o.replica());
        int ok = 0;
        int total = 0;
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, Path> src : sources.entrySet()) {
            try (NbdServer s = NbdServer.start(ServerSettings.localhost(0), new SnapshotCatalog(List.of(src.getValue())))) {
                for (String snap : o.retained()) {
                    total++;
                    if (readsAsWritten(s.port(), o, snap, src.getKey(), bad)) {
                        ok++;
                    }
                }
            }
        }
        for (String snap : o.retained()) {
            total++;
            Path out = o.rebuilds().resolve(NameEncoding.encode(snap));
            try (NbdServer s = NbdServer.start(ServerSettings.localhost(0), new SnapshotCatalog(List.of(out)))) {
                if (readsAsWritten(s.port(), o, snap, "rebuild --out", bad)) {
                    ok++;
                }
            }
        }
        checks.check("NBD exports (layers, replica, rebuild) read as written", ok == total && total > 0,
                ok + "/" + total + " snapshot exports" + (bad.isEmpty() ? "" : ": " + String.join("; ", bad)));
    }

    /** Reads DISK@SNAPSHOT whole with nbdcopy and compares its SHA-256 with what the client wrote. */
    private static boolean readsAsWritten(int port, Outputs o, String snapshot, String source, List<String> bad)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder("nbdcopy", url(port, o.diskId() + "@" + snapshot), "-")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        MessageDigest md = sha256();
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        int rc = await(p, pb.command());
        boolean same = rc == 0 && Arrays.equals(md.digest(), o.digests().get(snapshot));
        if (!same) {
            bad.add(source + " " + snapshot + (rc != 0 ? ": nbdcopy exit " + rc : ": differs"));
        }
        return same;
    }

    /** The demo's disk ids need no escaping in a URI path. */
    private static String url(int port, String export) {
        return "nbd://127.0.0.1:" + port + "/" + export;
    }

    private static void run(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process p = pb.start();
        byte[] output;
        try (InputStream in = p.getInputStream()) {
            output = in.readAllBytes();
        }
        int rc = await(p, command);
        if (rc != 0) {
            throw new IOException(command.get(0) + " failed (exit " + rc + "): "
                    + new String(output, StandardCharsets.UTF_8).trim());
        }
    }

    private static int await(Process p, List<String> command) throws IOException {
        try {
            if (!p.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.get(0) + " did not finish in " + TOOL_TIMEOUT.toMinutes() + " min");
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(command.get(0) + " interrupted", e);
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (service != null) {
            service.close();
        }
    }
}
