package io.vhdstream.topology.config;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What the pipeline's topics look like on the cluster, against what {@link TopicSetup} says they must be.
 */
public final class TopicChecks {
    /** The one line that tells a user how to get the topics right. */
    public static final String FIX = "create or check them with 'vhdstream topics create' (settings: config/topics.properties)";

    private TopicChecks() {
    }

    /** The topic's description; {@link ClusterProblem} ({@code TOPICS}) naming the fix when it does not exist. */
    public static TopicDescription requireExists(Admin admin, String topic) throws ClusterProblem {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new ClusterProblem(ClusterProblem.Kind.TOPICS, "topic " + topic + " does not exist: " + FIX);
            }
            if (e.getCause() instanceof TopicAuthorizationException) {
                throw new ClusterProblem(ClusterProblem.Kind.NOT_AUTHORIZED, "not allowed to describe topic " + topic
                        + " (ACLs): " + e.getCause().getMessage(), e.getCause());
            }
            throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "could not describe topic " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "no answer within 30 s describing topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "interrupted describing topic " + topic, e);
        }
    }
}
