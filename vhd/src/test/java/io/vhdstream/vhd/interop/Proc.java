package io.vhdstream.vhd.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external tool with a time limit. A tool that is missing, hangs or fails ends the test with a
 * message holding the command line, its exit code and both output streams: these tests never skip.
 */
public final class Proc {
    private Proc() {
    }

    /** What one run produced. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The command, exit code and output, for failure messages. */
        public String describe() {
            return String.join(" ", command) + "\n  exit code: " + exitCode + "\n  stdout: " + stdout.strip()
                    + "\n  stderr: " + stderr.strip();
        }

        public Result requireOk() {
            if (exitCode != 0) {
                throw new AssertionError("external tool failed: " + describe());
            }
            return this;
        }
    }

    /**
     * @param missingHint what to tell the reader when the program cannot be started (which package has it)
     */
    public static Result run(String missingHint, Duration timeout, List<String> command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("proc-out", ".txt");
            err = Files.createTempFile("proc-err", ".txt");
            Process p;
            try {
                p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError("cannot run " + command.get(0) + " (" + e.getMessage() + "): " + missingHint, e);
            }
            p.getOutputStream().close(); // no input: a tool that asks for some sees end of file
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command)
                        + "\n  stderr so far: " + Files.readString(err, StandardCharsets.UTF_8).strip());
            }
            return new Result(List.copyOf(command), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("running " + String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }
}
