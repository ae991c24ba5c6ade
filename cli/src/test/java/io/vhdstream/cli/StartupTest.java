package io.vhdstream.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a short command costs before it does any work: which classes it loads, and that it never looks up a
 * class or resource that is not there (on the CLI's class path of ~100 jars one miss opens every jar).
 */
class StartupTest {
    /** Packages a short command must not touch: each costs tens of milliseconds to load and initialise. */
    static final List<String> FORBIDDEN = List.of("org.apache.kafka.", "com.fasterxml.jackson.", "org.apache.avro.",
            "org.apache.logging.", "org.slf4j.", "java.sql.", "java.time.format.", "java.util.Formatter");

    @Test
    void shortCommandsLoadNoKafkaJacksonLoggingOrFormattingClasses(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("a.vhd");
        assertEquals(0, CliRunner.vhd("create", img, "--size", "4M").exit());
        for (String[] args : List.of(new String[] {"vhd", "info", img.toString()},
                new String[] {"vhd", "check", img.toString()},
                new String[] {"vhd", "changed", img.toString()},
                new String[] {"vhd", "read", img.toString(), "--offset", "0", "--length", "512"},
                new String[] {"vhd", "create", dir.resolve("b.vhd").toString(), "--size", "1M"})) {
            List<String> loaded = classesLoadedBy(dir, args);
            assertTrue(loaded.contains("io.vhdstream.cli.Cli"), "the class-load log is read");
            List<String> bad = loaded.stream().filter(c -> FORBIDDEN.stream().anyMatch(c::startsWith)).toList();
            assertEquals(List.of(), bad, () -> "vhdstream " + String.join(" ", args) + " loads these");
        }
    }

    /**
     * The commands on the path of {@code vhd info} and {@code vhd check} declare their models in code: reading annotations would make
     * the JDK generate a proxy class per annotation type at run time, which the start-up archive cannot hold.
     */
    @Test
    void vhdInfoAndCheckGenerateNoAnnotationProxies(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("a.vhd");
        assertEquals(0, CliRunner.vhd("create", img, "--size", "4M").exit());
        for (String verb : List.of("info", "check")) {
            List<String> loaded = classesLoadedBy(dir, new String[] {"vhd", verb, img.toString()});
            assertTrue(loaded.contains("io.vhdstream.cli.Cli"), "the class-load log is read");
            assertEquals(List.of(), loaded.stream().filter(c -> c.contains("$Proxy")).toList(), verb);
        }
    }

    /**
     * Loading the hole-finding library must not set up {@code SecureRandom} and the security providers (what
     * {@code Files.createTempFile} does for its names): tens of milliseconds of a sparse import's CPU. Nor does
     * {@code import} read annotations (its model is written in code, as {@code vhd info}'s).
     */
    @Test
    void importSetsUpNoSecurityProvidersNorAnnotationProxies(@TempDir Path dir) throws Exception {
        Path raw = dir.resolve("disk.raw");
        try (var f = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(4 << 20); // a hole, then data
            f.seek(1 << 20);
            f.write(new byte[] {1, 2, 3});
        }
        List<String> loaded = classesLoadedBy(dir, new String[] {"vhd", "import", raw.toString(), dir.resolve("out.vhd").toString()});
        assertTrue(loaded.contains("io.vhdstream.vhd.io.DataExtents$Native"), "the import looked for holes");
        assertEquals(List.of(), loaded.stream().filter(c -> c.equals("java.security.SecureRandom") || c.equals("java.security.Provider")
                || c.startsWith("sun.security.provider.") || c.startsWith("sun.security.jca.")).toList());
        assertEquals(List.of(), loaded.stream().filter(c -> c.contains("$Proxy")).toList());
    }

    @Test
    void shortCommandsLookUpNothingThatIsMissing(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("a.vhd");
        assertEquals(0, CliRunner.vhd("create", img, "--size", "4M").exit());
        List<String> misses = Collections.synchronizedList(new ArrayList<>());
        try (RecordingLoader loader = new RecordingLoader(misses)) {
            Class<?> probe = loader.loadClass(Probe.class.getName());
            for (String[] args : List.of(new String[] {"vhd", "info", img.toString()}, new String[] {"vhd", "check", img.toString()},
                    new String[] {"vhd", "create", dir.resolve("b.vhd").toString(), "--size", "1M"})) {
                int exit = (int) probe.getMethod("run", String[].class).invoke(null, (Object) args);
                assertEquals(0, exit, () -> String.join(" ", args));
            }
        }
        assertEquals(List.of(), misses, "class or resource lookups that found nothing");
    }

    /** The launcher's class-data-sharing archive lists what these commands load: each must still succeed. */
    @Test
    void theStartupArchiveTrainingRunsEveryCommandCleanly(@TempDir Path dir) throws Exception {
        assertEquals(List.of(), StartupTraining.run(dir));
    }

    /** Runs the CLI inside a {@link RecordingLoader}, where it is loaded afresh. */
    public static final class Probe {
        public static int run(String[] args) {
            return Cli.run(new Terminal(InputStream.nullInputStream(), new ByteArrayOutputStream(), new ByteArrayOutputStream(), false), args);
        }
    }

    /** This test's class path, loaded again by a loader that records every lookup that fails. */
    private static final class RecordingLoader extends URLClassLoader {
        private final List<String> misses;

        RecordingLoader(List<String> misses) throws IOException {
            super(classPath(), ClassLoader.getPlatformClassLoader());
            this.misses = misses;
        }

        private static URL[] classPath() throws IOException {
            List<URL> urls = new ArrayList<>();
            for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
                urls.add(Path.of(e).toUri().toURL());
            }
            return urls.toArray(new URL[0]);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            try {
                return super.findClass(name);
            } catch (ClassNotFoundException e) {
                misses.add("class " + name);
                throw e;
            }
        }

        @Override
        public URL findResource(String name) {
            URL u = super.findResource(name);
            if (u == null) {
                misses.add("resource " + name);
            }
            return u;
        }

        @Override
        public Enumeration<URL> findResources(String name) throws IOException {
            Enumeration<URL> e = super.findResources(name);
            if (!e.hasMoreElements()) {
                misses.add("resources " + name);
            }
            return e;
        }
    }

    /** The classes a child JVM loads running {@code vhdstream args} (as Main, on this test's class path). */
    private static List<String> classesLoadedBy(Path dir, String[] args) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "classes", ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
        assertEquals(0, p.exitValue(), () -> "vhdstream " + String.join(" ", args));
        List<String> classes = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            // [0.012s][info][class,load] java.lang.Object source: shared objects file
            int at = line.indexOf("] ");
            int end = line.indexOf(' ', line.lastIndexOf("] ") + 2);
            if (at > 0 && end > 0) {
                classes.add(line.substring(line.lastIndexOf("] ") + 2, end));
            }
        }
        return classes;
    }
}
