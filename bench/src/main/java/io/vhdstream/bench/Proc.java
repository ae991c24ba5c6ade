package io.vhdstream.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starting other programs: the tools under test, whole processes as a user runs them. */
final class Proc {
    private Proc() {
    }

    /** Runs {@code cmd} with stdout and stderr sent to files; a non-zero exit is an error quoting stderr. */
    static void run(List<String> cmd, Map<String, String> env, Path stdout, Path stderr) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        int code = p.waitFor();
        if (code != 0) {
            String err = Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
            if (err.length() > 2000) {
                err = err.substring(0, 2000) + "...";
            }
            throw new IOException(String.join(" ", cmd) + " exited with " + code + ": " + err.strip());
        }
    }

    /** Stdout of a short command, or null if it cannot be run or fails. */
    static String capture(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** An executable named {@code name} on PATH, or null. */
    static Path which(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
