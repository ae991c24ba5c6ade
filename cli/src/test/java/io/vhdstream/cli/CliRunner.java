package io.vhdstream.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs {@code vhdstream} in-process through {@link Cli#run}, exactly as {@link Main} does, capturing output. */
public final class CliRunner {
    private CliRunner() {
    }

    /** One finished invocation. */
    public record Result(int exit, byte[] stdout, String err) {
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        public List<String> outLines() {
            return out().lines().toList();
        }

        /** Asserts a failure reported as exactly one line {@code vhdstream: CODE: ...}, no stack trace. */
        public Result assertError(int expectedExit, String code) {
            assertEquals(expectedExit, exit, () -> "exit status; stderr: " + err + "; stdout: " + out());
            List<String> lines = err.lines().toList();
            assertEquals(1, lines.size(), () -> "stderr must be one line, was: " + err);
            assertTrue(lines.get(0).startsWith("vhdstream: " + code + ": "), () -> "error line: " + lines.get(0));
            assertFalse(err.contains("\tat "), "no stack trace without --debug");
            return this;
        }

        /** Exit 0 and no error on stderr (summaries of what was done go there). */
        public Result assertOk() {
            assertEquals(0, exit, () -> "exit status; stderr: " + err + "; stdout: " + out());
            assertFalse(err.contains("vhdstream: "), () -> "stderr of a successful run: " + err);
            return this;
        }
    }

    public static Result run(String... args) {
        return run(new byte[0], false, args);
    }

    public static Result runWithStdin(byte[] stdin, String... args) {
        return run(new ByteArrayInputStream(stdin), false, args);
    }

    public static Result run(byte[] stdin, boolean interactive, String... args) {
        return run(new ByteArrayInputStream(stdin), interactive, args);
    }

    public static Result run(InputStream stdin, boolean interactive, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Cli.run(new Terminal(stdin, out, err, interactive), args);
        return new Result(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code vhdstream vhd VERB args...}, with paths turned into strings. */
    public static Result vhd(Object... args) {
        return run(vhdArgs(args));
    }

    public static String[] vhdArgs(Object... args) {
        String[] a = new String[args.length + 1];
        a[0] = "vhd";
        for (int i = 0; i < args.length; i++) {
            a[i + 1] = String.valueOf(args[i]);
        }
        return a;
    }

    /** A fixture of the repository's {@code fixtures/vhd}, from the {@code vhdstream.fixtures.dir} property the build sets. */
    public static Path fixture(String name) {
        String dir = System.getProperty("vhdstream.fixtures.dir");
        if (dir == null) {
            fail("system property vhdstream.fixtures.dir is not set (the root pom's surefire configuration sets it)");
        }
        Path p = Path.of(dir, name);
        assertTrue(p.toFile().isFile(), () -> "missing fixture " + p);
        return p;
    }

    /** Copies fixtures (names relative to {@code fixtures/vhd}) into {@code dir}, writable; returns the copies. */
    public static List<Path> copyFixtures(Path dir, String... names) throws java.io.IOException {
        List<Path> out = new java.util.ArrayList<>();
        for (String name : names) {
            Path target = dir.resolve(Path.of(name).getFileName().toString());
            java.nio.file.Files.copy(fixture(name), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            target.toFile().setWritable(true, true);
            out.add(target);
        }
        return out;
    }
}
