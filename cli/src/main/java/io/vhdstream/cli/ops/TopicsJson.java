package io.vhdstream.cli.ops;

import io.vhdstream.topology.config.TopicFinding;
import io.vhdstream.topology.config.TopicSpec;

import java.util.List;
import java.util.Map;

/** {@code vhdstream topics --json}: every topic, whether it was created, and how it differs from its settings. */
record TopicsJson(List<Topic> topics, long errors, long warnings) {
    record Topic(String topic, String role, boolean created, boolean exists, int partitions, Map<String, String> configs,
                 List<Finding> findings) {
    }

    record Finding(String severity, String message) {
    }

    static TopicsJson of(TopicsRun.Result r) {
        List<Topic> topics = r.specs().stream().map(s -> topic(s, r)).toList();
        long errors = r.errors();
        return new TopicsJson(topics, errors, r.findings().size() - errors);
    }

    private static Topic topic(TopicSpec s, TopicsRun.Result r) {
        List<TopicFinding> mine = r.findings().stream().filter(f -> f.topic().equals(s.name())).toList();
        boolean missing = mine.stream().anyMatch(f -> f.message().equals(io.vhdstream.topology.config.TopicChecks.MISSING));
        return new Topic(s.name(), s.role(), r.created().contains(s.name()), !missing, s.partitions(), s.configs(),
                mine.stream().map(f -> new Finding(f.severity().name(), f.message())).toList());
    }
}
