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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

    /**
     * Every {@code vhd} verb, its help, a group's help and the usage errors, each in a JVM of its own: none loads
     * Kafka, Jackson, logging or formatting classes, nor sets up {@code SecureRandom} and the security providers
     * (tens of milliseconds each: {@code Files.createTempFile} and {@code UUID.randomUUID} do). The commands whose
     * models are written in code ({@link CodedCommand}) generate no annotation proxy classes, which the start-up
     * archive cannot hold; a group's help and its missing or unknown verb read the verbs' {@code @Command} alone (two: that
     * annotation's and its {@code @Retention}'s), never their options (eight, as an annotated verb's model).
     */
    @Test
    void everyShortCommandStartsWithoutHeavyClasses(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("a.vhd");
        Path child = dir.resolve("child.vhd");
        assertEquals(0, CliRunner.vhd("create", img, "--size", "4M").exit());
        assertEquals(0, CliRunner.vhd("snapshot", img, child).exit());
        Path raw = dir.resolve("disk.raw");
        try (var f = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(4 << 20); // a hole, then data
            f.seek(1 << 20);
            f.write(new byte[] {1, 2, 3});
        }
        Path data = dir.resolve("data");
        Files.write(data, new byte[512]);
        // args, exit status, most proxy classes allowed; {a}: an image, {c}: its child, {out}: a new file, each case
        // with images of its own (they run side by side)
        record Case(int exit, int proxies, String... args) {
        }
        List<Case> cases = List.of(new Case(0, 0, "vhd", "info", "{c}"), new Case(0, 0, "vhd", "check", "{c}"),
                new Case(0, 0, "vhd", "import", raw.toString(), "{out}"), new Case(0, 0, "--version"),
                new Case(2, 2, "vhd"), new Case(2, 0, "vhd", "info"),
                new Case(0, 2, "--help"), new Case(0, 2, "vhd", "--help"), new Case(2, 2, "vhd", "bogus"),
                new Case(0, 0, "vhd", "changed", "{c}"), new Case(0, 0, "vhd", "read", "{c}", "--offset", "0", "--length", "512"),
                new Case(0, 0, "vhd", "create", "{out}", "--size", "1M"), new Case(0, 0, "vhd", "map", "{c}"),
                new Case(0, 0, "vhd", "compare", "-q", "{a}", "{c}"), new Case(0, 0, "vhd", "convert", "-q", "{c}", "{out}"),
                new Case(0, 0, "vhd", "export", "-q", "{c}", "{out}"), new Case(0, 0, "vhd", "snapshot", "-q", "{a}", "{out}"),
                new Case(0, 0, "vhd", "write", "-q", "{c}", "--offset", "0", "--input", data.toString()),
                new Case(0, 0, "vhd", "repair", "{a}"), new Case(0, 0, "vhd", "resize", "-q", "{c}", "4M"),
                new Case(0, 0, "vhd", "rebase", "-q", "-u", "{c}", "{a}"), new Case(0, 0, "vhd", "coalesce", "-q", "{c}"),
                new Case(0, 0, "vhd", "resize", "--help"), new Case(0, 0, "vhd", "measure", "{c}"),
                new Case(0, 0, "vhd", "measure", "-O", "fixed", "--size", "1G"));
        // two at a time: each child JVM is mostly single-threaded start-up
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<String>>> runs = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                Path own = Files.createDirectory(dir.resolve("case" + i));
                Files.copy(img, own.resolve("a.vhd"));
                Files.copy(child, own.resolve("child.vhd"));
                String[] args = cases.get(i).args().clone();
                for (int j = 0; j < args.length; j++) {
                    args[j] = args[j].replace("{a}", own.resolve("a.vhd").toString()).replace("{c}", own.resolve("child.vhd").toString())
                            .replace("{out}", own.resolve("out").toString());
                }
                int exit = cases.get(i).exit();
                runs.add(pool.submit(() -> classesLoadedBy(own, exit, args)));
            }
            List<String> found = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                Case k = cases.get(i);
                String line = "vhdstream " + String.join(" ", k.args());
                List<String> loaded = runs.get(i).get();
                assertTrue(loaded.contains("io.vhdstream.cli.Cli"), "the class-load log is read");
                // picocli formats help and version texts with java.util.Formatter
                boolean help = List.of(k.args()).contains("--help") || k.args()[0].equals("--version");
                List<String> heavy = loaded.stream().filter(n -> FORBIDDEN.stream().anyMatch(n::startsWith)
                        && !(help && n.startsWith("java.util.Formatter"))
                        || n.equals("java.security.SecureRandom") || n.equals("java.security.Provider")
                        || n.startsWith("sun.security.provider.") || n.startsWith("sun.security.jca.")).toList();
                if (!heavy.isEmpty()) {
                    found.add(line + " loads " + heavy);
                }
                long proxies = loaded.stream().filter(n -> n.matches(".*\\$Proxy[0-9]+")).count();
                if (proxies > k.proxies()) {
                    found.add(line + " generates " + proxies + " annotation proxy classes, at most " + k.proxies() + " expected");
                }
                if (k.args().length > 1 && k.args()[1].equals("import") && !loaded.contains("io.vhdstream.vhd.io.DataExtents$Native")) {
                    found.add(line + " did not look for holes");
                }
            }
            assertEquals(List.of(), found);
        } finally {
            pool.shutdownNow();
        }
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
    private static List<String> classesLoadedBy(Path dir, int exit, String[] args) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "classes", ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
        assertEquals(exit, p.exitValue(), () -> "vhdstream " + String.join(" ", args));
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
