package io.vhdstream.embedded.demo;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * Live status: rewritten in place twice a second on a terminal, a plain log line every five seconds
 * otherwise (so CI logs and pipes stay readable).
 */
final class Progress {
    private final PrintWriter out;
    private final boolean interactive;
    private Thread thread;
    private volatile boolean running;

    Progress(PrintWriter out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    void start(Supplier<String> status) {
        running = true;
        long period = interactive ? 500 : 5000;
        thread = new Thread(() -> {
            String last = "";
            while (running) {
                try {
                    Thread.sleep(period);
                } catch (InterruptedException e) {
                    return;
                }
                String s;
                try {
                    s = status.get();
                } catch (RuntimeException e) {
                    continue;
                }
                if (interactive) {
                    out.print("\r" + s + " ".repeat(Math.max(0, last.length() - s.length())));
                    out.flush();
                } else if (!s.equals(last)) {
                    out.println(java.time.LocalTime.now().withNano(0) + " " + s);
                    out.flush();
                }
                last = s;
            }
        }, "demo-progress");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() throws InterruptedException {
        if (thread == null) {
            return;
        }
        running = false;
        thread.interrupt();
        thread.join(2000);
        thread = null;
        if (interactive) {
            out.println();
            out.flush();
        }
    }
}
