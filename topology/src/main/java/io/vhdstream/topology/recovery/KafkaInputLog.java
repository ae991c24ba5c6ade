package io.vhdstream.topology.recovery;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
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

/** {@link InputLog} through an {@link Admin} client with the Streams application's admin settings (TLS, SASL included). */
public final class KafkaInputLog implements InputLog {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Admin admin;
    private final String groupId;

    KafkaInputLog(Admin admin, String groupId) {
        this.admin = admin;
        this.groupId = groupId;
    }

    /** Input logs for a Streams application: its admin configuration, its application id as the group. */
    public static Factory factory() {
        return appConfigs -> {
            StreamsConfig sc = new StreamsConfig(appConfigs);
            String app = sc.getString(StreamsConfig.APPLICATION_ID_CONFIG);
            return new KafkaInputLog(Admin.create(sc.getAdminConfigs(app + "-layer-recovery")), app);
        };
    }

    @Override
    public Range range(TopicPartition tp) {
        ListOffsetsResult start = admin.listOffsets(Map.of(tp, OffsetSpec.earliest()));
        ListOffsetsResult end = admin.listOffsets(Map.of(tp, OffsetSpec.latest()));
        var committed = admin.listConsumerGroupOffsets(groupId, new ListConsumerGroupOffsetsOptions().requireStable(true))
                .partitionsToOffsetAndMetadata();
        try {
            long s = start.partitionResult(tp).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).offset();
            long e = end.partitionResult(tp).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).offset();
            OffsetAndMetadata c = committed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(tp);
            return new Range(s, e, c == null ? null : c.offset());
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
        admin.close(Duration.ofSeconds(5));
    }
}
