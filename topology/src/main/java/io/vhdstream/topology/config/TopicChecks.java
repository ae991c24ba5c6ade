package io.vhdstream.topology.config;

import io.vhdstream.topology.config.TopicFinding.Severity;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What the pipeline's topics look like on the cluster, against what {@link TopicSetup} says they must be: used
 * by {@code vhdstream topics check}, by the topology before it starts, and by the verbs that need one topic.
 */
public final class TopicChecks {
    /** The one line that tells a user how to get the topics right. */
    public static final String FIX = "create or check them with 'vhdstream topics create' (settings: config/topics.properties)";
    /** The message of the finding for a topic that does not exist. */
    public static final String MISSING = "does not exist";
    private static final int WAIT_SECONDS = 30;

    private TopicChecks() {
    }

    /** The topic's description; {@link ClusterProblem} ({@code TOPICS}) naming the fix when it does not exist. */
    public static TopicDescription requireExists(Admin admin, String topic) throws ClusterProblem {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(WAIT_SECONDS, TimeUnit.SECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new ClusterProblem(ClusterProblem.Kind.TOPICS, "topic " + topic + " does not exist: " + FIX);
            }
            throw problem("could not describe topic " + topic, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "no answer within 30 s describing topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "interrupted describing topic " + topic, e);
        }
    }

    /**
     * How each topic of {@code specs} differs from its spec: missing, fewer bytes per record than the pipeline
     * sends, compaction or retention that would delete what must be kept (errors); another partition count,
     * replication factor or setting (warnings). Empty when all is as specified.
     */
    public static List<TopicFinding> check(Admin admin, List<TopicSpec> specs) throws ClusterProblem {
        return survey(admin, specs).findings();
    }

    /** What {@link #check} found, and the descriptions (with what this principal may do) of the topics that exist. */
    public record Survey(List<TopicFinding> findings, Map<String, TopicDescription> existing) {
    }

    /** {@link #check}, keeping the descriptions it read (one describe call for both). */
    public static Survey survey(Admin admin, List<TopicSpec> specs) throws ClusterProblem {
        List<TopicFinding> out = new ArrayList<>();
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(
                specs.stream().map(TopicSpec::name).distinct().toList(),
                new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
        Map<TopicSpec, TopicDescription> existing = new LinkedHashMap<>();
        Map<String, TopicDescription> byName = new LinkedHashMap<>();
        for (TopicSpec s : specs) {
            TopicDescription d = await(described.get(s.name()), "describe topic " + s.name());
            if (d == null) {
                out.add(new TopicFinding(s.name(), s.role(), Severity.ERROR, MISSING));
            } else {
                existing.put(s, d);
                byName.put(s.name(), d);
            }
        }
        if (existing.isEmpty()) {
            return new Survey(out, byName);
        }
        List<ConfigResource> resources = existing.keySet().stream()
                .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.name())).toList();
        Map<ConfigResource, Config> configs = await(admin.describeConfigs(resources).all(), "describe topic configs");
        for (Map.Entry<TopicSpec, TopicDescription> e : existing.entrySet()) {
            TopicSpec s = e.getKey();
            compareLayout(s, e.getValue(), out);
            Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, s.name()));
            for (Map.Entry<String, String> want : s.configs().entrySet()) {
                ConfigEntry have = c == null ? null : c.get(want.getKey());
                if (have != null && have.value() != null) {
                    compareConfig(s, want.getKey(), want.getValue(), have.value(), out);
                }
            }
        }
        return new Survey(out, byName);
    }

    /**
     * The first topic of {@code needed} this principal may not use as it must (its ACLs, as the broker reports them
     * in the topic's authorized operations) as a {@link ClusterProblem} ({@code NOT_AUTHORIZED}) naming the topic,
     * the operation and the fix; null when all are allowed, or the broker does not say.
     */
    public static ClusterProblem accessProblem(Survey survey, Map<String, List<AclOperation>> needed) {
        for (Map.Entry<String, List<AclOperation>> e : needed.entrySet()) {
            TopicDescription d = survey.existing().get(e.getKey());
            Set<AclOperation> allowed = d == null ? null : d.authorizedOperations();
            if (allowed == null || allowed.contains(AclOperation.ALL)) {
                continue;
            }
            for (AclOperation op : e.getValue()) {
                if (!allowed.contains(op)) {
                    String name = op.name().charAt(0) + op.name().substring(1).toLowerCase(java.util.Locale.ROOT);
                    return new ClusterProblem(ClusterProblem.Kind.NOT_AUTHORIZED, "topic " + e.getKey() + ": this principal"
                            + " may not " + op + " it (ACLs): allow it, e.g. kafka-acls.sh --bootstrap-server HOST:PORT"
                            + " --add --allow-principal User:NAME --operation " + name + " --topic " + e.getKey());
                }
            }
        }
        return null;
    }

    /**
     * The errors among {@code findings} as one {@link ClusterProblem} ({@code TOPICS}): the first error, how many
     * more, and {@code fix}; null when there are none.
     */
    public static ClusterProblem asProblem(List<TopicFinding> findings, String fix) {
        List<TopicFinding> errors = findings.stream().filter(TopicFinding::error).toList();
        if (errors.isEmpty()) {
            return null;
        }
        String more = errors.size() == 1 ? "" : " (and " + (errors.size() - 1) + " more problem"
                + (errors.size() == 2 ? "" : "s") + ")";
        return new ClusterProblem(ClusterProblem.Kind.TOPICS, errors.get(0) + more + ": " + fix);
    }

    private static void compareLayout(TopicSpec s, TopicDescription d, List<TopicFinding> out) {
        int partitions = d.partitions().size();
        if (partitions != s.partitions()) {
            boolean mustBeOne = s.role().equals(TopicSetup.CONNECT_CONFIGS);
            out.add(new TopicFinding(s.name(), s.role(), mustBeOne ? Severity.ERROR : Severity.WARNING,
                    partitions + " partitions, the settings say " + s.partitions() + (mustBeOne
                            ? " (Kafka Connect requires exactly one)"
                            : s.role().equals(TopicSetup.COMMANDS)
                            ? " (fine if chosen on purpose; never change it once disks exist)"
                            : s.role().equals(TopicSetup.CHECKPOINTS)
                            ? " (it needs at least the command topic's partition count)" : "")));
        }
        int replicas = d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
        if (s.replicationFactor() > 0 && replicas != s.replicationFactor()) {
            out.add(new TopicFinding(s.name(), s.role(), Severity.WARNING, "replication factor " + replicas
                    + ", the settings say " + s.replicationFactor()));
        }
    }

    private static void compareConfig(TopicSpec s, String key, String want, String have, List<TopicFinding> out) {
        if (want.equals(have)) {
            return;
        }
        Severity severity = Severity.WARNING;
        String why = "";
        if (key.equals("max.message.bytes") && parse(have) < parse(want)) {
            severity = Severity.ERROR;
            why = " (records up to " + want + " bytes would be refused)";
        } else if (key.equals("max.message.bytes")) {
            return;   // larger than needed is fine
        } else if (key.equals("retention.ms") && s.role().equals(TopicSetup.COMMANDS)) {
            if (parse(have) < 0 || parse(have) >= parse(want)) {
                return;   // keeping the commands longer (or for ever) is fine
            }
            why = " (recovery and rebuild need each disk's commands since its oldest retained snapshot, plus the"
                    + " longest outage: see docs/deployment.md)";
        } else if (key.equals("cleanup.policy")) {
            severity = Severity.ERROR;
            why = want.equals("compact") ? (s.role().equals(TopicSetup.CHECKPOINTS)
                    ? " (without compaction the checkpoints of every base ever sealed pile up)"
                    : " (Kafka Connect requires compaction)")
                    : " (compaction would delete all but the last record of each key)";
        } else if (key.startsWith("retention.") && want.equals("-1")) {
            severity = Severity.ERROR;
            why = s.role().equals(TopicSetup.COMMANDS)
                    ? " (layers can only be rebuilt while the topic holds every command)"
                    : " (the topic must keep every record)";
        }
        out.add(new TopicFinding(s.name(), s.role(), severity, key + "=" + have + ", needs " + want + why));
    }

    private static long parse(String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The future's value; null for a topic that does not exist; a {@link ClusterProblem} for anything else. */
    private static <T> T await(KafkaFuture<T> f, String what) throws ClusterProblem {
        try {
            return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw problem("could not " + what, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "no answer within " + WAIT_SECONDS + " s: " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterProblem(ClusterProblem.Kind.UNREACHABLE, "interrupted: " + what, e);
        }
    }

    /** A failed admin call as a {@link ClusterProblem} of the right kind. */
    static ClusterProblem problem(String what, Throwable cause) {
        ClusterProblem.Kind kind = cause instanceof org.apache.kafka.common.errors.AuthorizationException
                ? ClusterProblem.Kind.NOT_AUTHORIZED
                : cause instanceof AuthenticationException ? ClusterProblem.Kind.AUTHENTICATION
                : cause instanceof org.apache.kafka.common.errors.InvalidConfigurationException
                || cause instanceof org.apache.kafka.common.errors.InvalidPartitionsException
                || cause instanceof org.apache.kafka.common.errors.InvalidReplicationFactorException
                || cause instanceof org.apache.kafka.common.errors.PolicyViolationException
                ? ClusterProblem.Kind.TOPICS : ClusterProblem.Kind.UNREACHABLE;
        String acl = cause instanceof TopicAuthorizationException ? " (ACLs)" : "";
        return new ClusterProblem(kind, what + acl + ": " + cause.getMessage(), cause);
    }
}
