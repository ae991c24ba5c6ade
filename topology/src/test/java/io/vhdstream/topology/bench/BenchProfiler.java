package io.vhdstream.topology.bench;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Optional async-profiler control around the measured passes, so a profile holds only the window a figure
 * comes from. Active when {@code -Dvhdstream.bench.profiler=JAR,EVENT,OUTDIR} names async-profiler's jar (the
 * {@code tools.profiler:async-profiler:*:linux-x64} artifact, library inside), the event ({@code cpu},
 * {@code wall}, {@code alloc}) and a directory for collapsed stacks; a no-op otherwise. Loaded reflectively:
 * the profiler is not a dependency of the build.
 */
final class BenchProfiler {
    private final Object profiler;
    private final Method execute;
    private final String event;
    private final Path outDir;

    private BenchProfiler(Object profiler, Method execute, String event, Path outDir) {
        this.profiler = profiler;
        this.execute = execute;
        this.event = event;
        this.outDir = outDir;
    }

    /** The profiler the system property asks for, or null. */
    static BenchProfiler fromSystemProperty() throws Exception {
        String spec = System.getProperty("vhdstream.bench.profiler", "");
        if (spec.isBlank()) {
            return null;
        }
        String[] p = spec.split(",");
        ClassLoader loader = new URLClassLoader(new URL[] {Path.of(p[0]).toUri().toURL()}, BenchProfiler.class.getClassLoader());
        Class<?> c = loader.loadClass("one.profiler.AsyncProfiler");
        Object instance = c.getMethod("getInstance").invoke(null);
        return new BenchProfiler(instance, c.getMethod("execute", String.class), p[1], Path.of(p[2]));
    }

    void start() throws Exception {
        execute.invoke(profiler, "start,event=" + event + ",interval=1ms,threads");
    }

    void stop(String name) throws Exception {
        execute.invoke(profiler, "stop,file=" + outDir.resolve(name + ".collapsed") + ",collapsed");
    }
}
