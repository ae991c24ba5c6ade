package io.vhdstream.nbd.export;

import io.vhdstream.nbd.protocol.Nbd;
import io.vhdstream.vhd.chain.VhdChain;

import java.io.IOException;

/** base:allocation of a chain's range: runs no layer holds are holes that read as zeros, the rest data. */
public final class AllocationRuns {
    private AllocationRuns() {
    }

    public static void report(VhdChain chain, long offset, long length, Export.StatusSink sink) throws IOException {
        long[] run = {0};
        int[] flags = {-1};
        boolean[] stopped = {false};
        chain.resolve(offset, length, (o, len, layer, fileOff) -> {
            int f = layer < 0 ? Nbd.STATE_HOLE | Nbd.STATE_ZERO : 0;
            if (stopped[0]) {
                return;
            }
            if (f == flags[0]) {
                run[0] += len;
                return;
            }
            if (run[0] > 0 && !sink.run(run[0], flags[0])) {
                stopped[0] = true;
                return;
            }
            run[0] = len;
            flags[0] = f;
        });
        if (!stopped[0] && run[0] > 0) {
            sink.run(run[0], flags[0]);
        }
    }
}
