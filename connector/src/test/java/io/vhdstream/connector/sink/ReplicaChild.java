package io.vhdstream.connector.sink;

import io.vhdstream.connector.convert.BlockEvents;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A replica sink in its own JVM, for kill tests: applies the encoded BlockEvents of a file (each an int length
 * and the Avro bytes) from record {@code from} on to a {@link ReplicaStore}, as a sink task's puts would, then
 * flushes and exits 0 (3 when a record is refused).
 *
 * <pre>ReplicaChild REPLICA_DIR RECORDS_FILE FROM</pre>
 */
public final class ReplicaChild {
    private ReplicaChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int from = Integer.parseInt(args[2]);
        try (ReplicaStore store = new ReplicaStore(dir, 8);
             DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(Path.of(args[1]))))) {
            for (int i = 0; ; i++) {
                byte[] b;
                try {
                    b = new byte[in.readInt()];
                } catch (EOFException end) {
                    break;
                }
                in.readFully(b);
                if (i >= from) {
                    try {
                        store.apply(BlockEvents.decode(b));
                    } catch (ReplicaStore.RejectedException e) {
                        System.err.println("record " + i + " refused: " + e.getMessage());
                        System.exit(3);
                    }
                }
            }
            store.flush();
        }
        System.exit(0);
    }
}
