package io.vhdstream.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code vhdstream} as a real child process (a JVM on this test's class path running {@link Main}), for what
 * only a process shows: signals, closed pipes, exit statuses.
 */
public final class ChildProcess {
    private ChildProcess() {
    }

    public static ProcessBuilder vhdstream(Path workDir, String... args) {
        return vhdstream(workDir, List.of(), args);
    }

    /** With extra JVM options before the class name. */
    public static ProcessBuilder vhdstream(Path workDir, List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvmOptions);
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path")); // surefire's booter jar lists the class path in its manifest
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(workDir.toFile());
    }

    public static Process start(Path workDir, String... args) throws IOException {
        return vhdstream(workDir, args).start();
    }
}
