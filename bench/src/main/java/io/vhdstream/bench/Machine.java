package io.vhdstream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the numbers were measured on. */
record Machine(int nproc, String cpu, String memory, String os, String java, String qemu, String fileSystem) {
    static Machine probe(Path workDir, Path qemuImg) {
        String cpu = "unknown";
        String mem = "unknown";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    mem = String.format("%.1f GiB", kib / 1048576.0);
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // leave "unknown"
        }
        String qemu = "not installed";
        if (qemuImg != null) {
            String v = Proc.capture(List.of(qemuImg.toString(), "--version"));
            qemu = v == null ? "unknown" : v.lines().findFirst().orElse("unknown").strip();
        }
        String fs = "unknown";
        try {
            var store = Files.getFileStore(workDir);
            fs = store.type() + " (" + store.name() + ")";
        } catch (IOException e) {
            // leave "unknown"
        }
        return new Machine(Runtime.getRuntime().availableProcessors(), cpu, mem,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"), qemu, fs);
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
