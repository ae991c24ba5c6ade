package io.vhdstream.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs competing subjects alternately (A B, B A, A B, ...) so that drift on a shared, noisy machine touches
 * both alike, times only each subject's {@code timed} step, and drops the first {@code warmups} rounds.
 */
final class Sampler {
    interface Step {
        void run() throws Exception;
    }

    /** After each subject's run, with the round number (0 = the first warm-up round). */
    interface After {
        void run(int round) throws Exception;
    }

    record Subject(String name, Step setup, Step timed, After cleanup) {
    }

    /**
     * Thrown by a timed step whose time does not count (the launcher rebuilt the CLI first, say): the step is
     * set up and run again, up to {@link #RETRIES} times.
     */
    static final class Retry extends Exception {
        private static final long serialVersionUID = 1L;

        Retry(String why) {
            super(why);
        }
    }

    static final int RETRIES = 3;

    private Sampler() {
    }

    private static double timeOnce(Subject s, Log log) throws Exception {
        for (int attempt = 0; ; attempt++) {
            if (s.setup() != null) {
                s.setup().run();
            }
            long t0 = System.nanoTime();
            try {
                s.timed().run();
            } catch (Retry r) {
                if (attempt + 1 >= RETRIES) {
                    throw new IllegalStateException(s.name() + ": " + r.getMessage() + ", " + RETRIES + " times in a row");
                }
                log.detail("    " + s.name() + ": not counted, run again (" + r.getMessage() + ")");
                continue;
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    static Map<String, Stats> alternate(List<Subject> subjects, int warmups, int samples, After afterRound,
                                        Log log) throws Exception {
        Map<String, List<Double>> times = new LinkedHashMap<>();
        for (Subject s : subjects) {
            times.put(s.name(), new ArrayList<>());
        }
        int rounds = warmups + samples;
        for (int r = 0; r < rounds; r++) {
            List<Subject> order = new ArrayList<>(subjects);
            if (r % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            StringBuilder line = new StringBuilder(r < warmups ? "    warm-up " : "    run ").append(r < warmups ? r + 1 : r - warmups + 1)
                    .append(':');
            for (Subject s : order) {
                double sec = timeOnce(s, log);
                if (s.cleanup() != null) {
                    s.cleanup().run(r);
                }
                if (r >= warmups) {
                    times.get(s.name()).add(sec);
                }
                line.append(String.format("  %s %.3f s", s.name(), sec));
            }
            if (afterRound != null) {
                afterRound.run(r);
            }
            // short series round by round; long ones (ms-scale work repeated many times) at a few points only
            if (rounds <= 12 || r == 0 || r == warmups || r == rounds - 1 || (r >= warmups && (r - warmups) % 10 == 9)) {
                log.detail(line.toString());
            }
        }
        Map<String, Stats> out = new LinkedHashMap<>();
        times.forEach((k, v) -> out.put(k, new Stats(v)));
        return out;
    }
}
