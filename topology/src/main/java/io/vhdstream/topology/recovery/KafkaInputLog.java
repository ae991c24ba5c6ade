package io.vhdstream.topology.recovery;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link InputLog} through an {@link Admin} client with the Streams application's admin settings (TLS, SASL
 * included): two requests, sent together, per task start.
 */
public final class KafkaInputLog implements InputLog {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Admin admin;
    private final String groupId;
    private final boolean owned;

    private KafkaInputLog(Admin admin, String groupId, boolean owned) {
        this.admin = admin;
        this.groupId = groupId;
        this.owned = owned;
    }

    /** Input logs that each open (and close) an admin client of their own. */
    public static Factory factory() {
        return appConfigs -> new KafkaInputLog(admin(appConfigs), groupId(appConfigs), true);
    }

    /**
     * One admin client for all the stores of an application, opened on first use and closed with
     * {@link Shared#close()}: tasks start one after another, each would otherwise pay for a client of its own.
     */
    public static final class Shared implements Factory, AutoCloseable {
        private Admin admin;

        @Override
        public synchronized InputLog open(Map<String, Object> appConfigs) {
            if (admin == null) {
                admin = admin(appConfigs);
            }
            return new KafkaInputLog(admin, groupId(appConfigs), false);
        }

        @Override
        public synchronized void close() {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
                admin = null;
            }
        }
    }

    private static Admin admin(Map<String, Object> appConfigs) {
        StreamsConfig sc = new StreamsConfig(appConfigs);
        return Admin.create(sc.getAdminConfigs(sc.getString(StreamsConfig.APPLICATION_ID_CONFIG) + "-layer-recovery"));
    }

    private static String groupId(Map<String, Object> appConfigs) {
        return String.valueOf(appConfigs.get(StreamsConfig.APPLICATION_ID_CONFIG));
    }

    @Override
    public Range range(TopicPartition tp) {
        ListOffsetsResult start = admin.listOffsets(Map.of(tp, OffsetSpec.earliest()));
        ListConsumerGroupOffsetsResult committed = admin.listConsumerGroupOffsets(groupId,
                new ListConsumerGroupOffsetsOptions().requireStable(true));
        try {
            long s = start.partitionResult(tp).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).offset();
            OffsetAndMetadata c = committed.partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(tp);
            if (c == null) {
                return new Range(s, s, null);
            }
            // The group never commits beyond the end, so the end offset adds nothing to what Streams will restore.
            return new Range(s, c.offset(), c.offset());
        } catch (java.util.concurrent.TimeoutException ex) {
            throw new TimeoutException("no answer within " + TIMEOUT + " about " + tp + " and group " + groupId, ex);
        } catch (ExecutionException ex) {
            Throwable cause = ex.getCause();
            if (cause instanceof TimeoutException te) {
                throw te;
            }
            throw new KafkaException("could not read the offsets of " + tp + " and group " + groupId + ": " + cause, cause);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(ex);
        }
    }

    @Override
    public void close() {
        if (owned) {
            admin.close(Duration.ofSeconds(5));
        }
    }
}
