package io.vhdstream.vhd.testkit;

import io.vhdstream.vhd.io.WriteListener;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Records every write an image makes and, when armed, lets only the first {@code allow} writes happen: the
 * next one throws {@link SimulatedCrash} before it reaches the file, as if the process died there.
 */
public final class CrashingListener implements WriteListener {
    /** The crash: an IOException the engine must let through unchanged. */
    public static final class SimulatedCrash extends IOException {
        private static final long serialVersionUID = 1L;

        public SimulatedCrash(int n) {
            super("simulated crash before write #" + (n + 1));
        }
    }

    public record Write(long position, int length) {
    }

    private final int allow;
    private final List<Write> writes = new ArrayList<>();

    private CrashingListener(int allow) {
        this.allow = allow;
    }

    public static CrashingListener recording() {
        return new CrashingListener(Integer.MAX_VALUE);
    }

    public static CrashingListener crashAfter(int allowedWrites) {
        return new CrashingListener(allowedWrites);
    }

    @Override
    public void beforeWrite(long position, ByteBuffer data) throws IOException {
        if (writes.size() >= allow) {
            throw new SimulatedCrash(writes.size());
        }
        writes.add(new Write(position, data.remaining()));
    }

    public List<Write> writes() {
        return writes;
    }

    public int count() {
        return writes.size();
    }
}
