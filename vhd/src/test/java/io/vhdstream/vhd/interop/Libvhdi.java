package io.vhdstream.vhd.interop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * libvhdi (libyal, Debian python3-libvhdi 20210425) as a second reader, through the script
 * {@code interop/vhdi_dump.py}. It must run under {@code /usr/bin/python3}: the python3 first on PATH may
 * be a pyenv one without the pyvhdi module.
 */
public final class Libvhdi {
    public static final String PYTHON = "/usr/bin/python3";
    static final String HINT = "libvhdi's Python binding (module pyvhdi) comes from Debian's python3-libvhdi for "
            + PYTHON + " (./run-tests installs it); the interop tests need it and do not skip without it";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Libvhdi() {
    }

    /** What libvhdi says about one layer. */
    public record Layer(UUID identifier, UUID parentIdentifier, String parentFilename, long mediaSize, int diskType) {
    }

    /** A finished dump: the media as libvhdi reads it (in {@code raw}) and the layers, top first. */
    public record Dump(Path raw, List<Layer> layers) {
        public Layer top() {
            return layers.get(0);
        }

        public byte[] bytes() throws IOException {
            return Files.readAllBytes(raw);
        }
    }

    /** Runs the dump; a libvhdi error (including set_parent refusing a parent) is returned, not thrown. */
    public static Proc.Result run(Path workDir, Path out, Path top, Path... parents) throws IOException {
        Path script = workDir.resolve("vhdi_dump.py");
        if (!Files.exists(script)) {
            try (InputStream in = Libvhdi.class.getResourceAsStream("/interop/vhdi_dump.py")) {
                if (in == null) {
                    throw new AssertionError("test resource /interop/vhdi_dump.py is missing from the classpath");
                }
                Files.copy(in, script);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString(), out.toString(), top.toString()));
        for (Path p : parents) {
            cmd.add(p.toString());
        }
        Proc.Result r = Proc.run(HINT, TIMEOUT, cmd);
        if (!r.ok() && r.stderr().contains("No module named 'pyvhdi'")) {
            throw new AssertionError(HINT + "\n" + r.describe());
        }
        return r;
    }

    /** Dumps {@code top} (with its parents attached, nearest first) and fails the test if libvhdi fails. */
    public static Dump dump(Path workDir, Path out, Path top, Path... parents) throws IOException {
        Proc.Result r = run(workDir, out, top, parents).requireOk();
        Map<Integer, Map<String, String>> byLayer = new TreeMap<>();
        for (String line : r.stdout().split("\n")) {
            String[] f = line.split("\t", 3);
            if (f.length == 3) {
                byLayer.computeIfAbsent(Integer.parseInt(f[0]), k -> new HashMap<>()).put(f[1], f[2]);
            }
        }
        List<Layer> layers = new ArrayList<>();
        for (Map<String, String> m : byLayer.values()) {
            layers.add(new Layer(uuid(m.get("identifier")), uuid(m.get("parent_identifier")),
                    m.getOrDefault("parent_filename", ""), Long.parseLong(m.get("media_size")),
                    Integer.parseInt(m.get("disk_type"))));
        }
        if (layers.size() != 1 + parents.length) {
            throw new AssertionError("expected " + (1 + parents.length) + " layers from libvhdi: " + r.describe());
        }
        return new Dump(out, layers);
    }

    private static UUID uuid(String s) {
        return s == null || s.isEmpty() ? null : UUID.fromString(s);
    }
}
