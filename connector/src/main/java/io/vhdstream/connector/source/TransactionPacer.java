package io.vhdstream.connector.source;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The size of a source task's transactions (connector-defined boundaries): data bytes in the open one, when its first
 * record was returned, and the limit that ends it. The limit starts at commit.max.bytes and follows what the producer
 * manages to commit in commit.max.ms.
 */
final class TransactionPacer {
    private static final Logger log = LoggerFactory.getLogger(TransactionPacer.class);

    private final String name;
    private final long commitMaxBytes;
    private final long commitMaxMs;
    private final int chunkSize;
    /** The producer's transaction.timeout.ms (the connector's override, or the producer's default). */
    private final long timeoutMs;
    /** Data bytes per transaction now: commit.max.bytes, lowered when the producer cannot send that in commit.max.ms. */
    private volatile long byteLimit;
    private long bytes;
    /** When the open transaction's first record was returned (-1: none open). */
    private long startedAt = -1;

    TransactionPacer(String name, VhdSourceConnectorConfig config, Map<String, String> props) {
        this.name = name;
        this.commitMaxBytes = config.commitMaxBytes();
        this.commitMaxMs = config.commitMaxMs();
        this.chunkSize = config.chunkSize();
        this.timeoutMs = timeout(props);
        this.byteLimit = commitMaxBytes;
    }

    /** What the next batch may carry so that the open transaction stays within its limit (at least 1). */
    int budget(int pollMaxBytes) {
        return (int) Math.max(1, Math.min(pollMaxBytes, byteLimit - bytes));
    }

    /** A batch of {@code sent} data bytes was returned in the open transaction (which it opens if none is). */
    void sent(long sent) {
        if (startedAt < 0) {
            startedAt = System.currentTimeMillis();
        }
        bytes += sent;
    }

    /** The open transaction reached its size or its time. */
    boolean due() {
        return bytes >= byteLimit || System.currentTimeMillis() - startedAt >= commitMaxMs;
    }

    /**
     * The open transaction ends (committed, or aborted when {@code null} is not wanted); returns what to run once the
     * worker reports it committed, which adapts the limit.
     */
    Runnable end() {
        long b = bytes;
        long started = startedAt;
        bytes = 0;
        startedAt = -1;
        return () -> committed(b, System.currentTimeMillis() - started);
    }

    /**
     * A transaction was committed {@code ms} after its first record was returned. The worker sends records in the
     * background, so a throttled or slow producer makes a transaction of commit.max.bytes last longer than
     * commit.max.ms: the next ones carry what the producer managed in commit.max.ms. One close to the producer's
     * transaction.timeout.ms is reported with the fix (past it, the broker aborts it and the task fails).
     */
    private void committed(long b, long ms) {
        if (b <= 0) {
            return;
        }
        long fits = (long) (b * (double) commitMaxMs / Math.max(1, ms));
        byteLimit = Math.max(chunkSize, Math.min(commitMaxBytes, fits));
        if (ms > timeoutMs / 2) {
            log.warn("{}: a transaction of {} bytes took {} ms to commit, more than half of the producer's transaction.timeout.ms"
                    + " ({} ms); transactions now carry at most {} bytes. If this repeats, raise"
                    + " producer.override.transaction.timeout.ms (and the brokers' transaction.max.timeout.ms) or lower {}",
                    name, b, ms, timeoutMs, byteLimit, VhdSourceConnectorConfig.COMMIT_MAX_BYTES_CONFIG);
        }
    }

    private static long timeout(Map<String, String> props) {
        String v = props.get("producer.override." + ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
        try {
            return v == null ? 60_000 : Long.parseLong(v.trim()); // the producer's default
        } catch (NumberFormatException e) {
            return 60_000; // the worker refuses the override itself
        }
    }
}
