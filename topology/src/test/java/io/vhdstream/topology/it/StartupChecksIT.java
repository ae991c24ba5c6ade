package io.vhdstream.topology.it;

import io.vhdstream.topology.app.TopologyApp;
import io.vhdstream.topology.config.ClusterProblem;
import io.vhdstream.topology.config.TopicSetup;
import io.vhdstream.topology.support.SharedBroker;
import io.vhdstream.topology.support.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the topology says at start-up, before Kafka Streams runs: a missing output topic, and one this principal
 * may not write (ACLs), each in one line naming the topic and the fix (not 60 s later as a failed commit); and a
 * clean start does not print Streams' "not enabled for the GlobalThread" warning.
 */
class StartupChecksIT {
    static final String GLOBAL_WARNING = "Processing exception handler is not enabled for the GlobalThread";

    @TempDir
    Path work;

    Properties props(String prefix, String bootstrap) {
        Properties p = TopicGuardIT.props(work, prefix);
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    static void createAllBut(TestBroker b, String prefix, String role) throws Exception {
        try (Admin a = b.admin()) {
            TopicSetup.ensure(a, TopicSetup.specs(prefix + "-commands", prefix + "-layers", prefix + "-dead-letters",
                    TestBroker.checkpointsFor(prefix + "-commands"), 1, (short) 1).stream()
                    .filter(s -> !s.role().equals(role)).toList());
        }
    }

    static ClusterProblem refusedWithin(Properties p, int seconds) {
        long t = System.nanoTime();
        ClusterProblem e = assertThrows(ClusterProblem.class, () -> TopologyApp.start(p).close());
        assertTrue(System.nanoTime() - t < TimeUnit.SECONDS.toNanos(seconds), "refused within " + seconds + " s");
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void aMissingLayersTopicIsNamedWithTheFix() throws Exception {
        TestBroker b = SharedBroker.get();
        createAllBut(b, "start1", TopicSetup.LAYERS);
        ClusterProblem e = refusedWithin(props("start1", b.bootstrapServers()), 30);
        assertEquals(ClusterProblem.Kind.TOPICS, e.kind());
        assertTrue(e.getMessage().startsWith("topic start1-layers: does not exist:"), e.getMessage());
        assertTrue(e.getMessage().contains("vhdstream topics create") && e.getMessage().contains("vhdstream.topics.create=true"),
                e.getMessage());
    }

    @Test
    void aLayersTopicThisPrincipalMayNotWriteIsNamedWithTheFix() throws Exception {
        // A broker with Kafka's KRaft authorizer: everything is allowed where no ACL says otherwise, and the
        // layers topic's ACLs deny this (anonymous) principal writes.
        try (TestBroker b = TestBroker.start(Map.of(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "allow.everyone.if.no.acl.found", "true"))) {
            createAllBut(b, "acl", "none");
            try (Admin a = b.admin()) {
                // (once a topic has an ACL, only what its ACLs allow is: everything but writes here)
                ResourcePattern layers = new ResourcePattern(ResourceType.TOPIC, "acl-layers", PatternType.LITERAL);
                a.createAcls(List.of(
                        new AclBinding(layers, new AccessControlEntry("User:ANONYMOUS", "*", AclOperation.ALL, AclPermissionType.ALLOW)),
                        new AclBinding(layers, new AccessControlEntry("User:ANONYMOUS", "*", AclOperation.WRITE, AclPermissionType.DENY))))
                        .all().get(30, TimeUnit.SECONDS);
            }
            ClusterProblem e = refusedWithin(props("acl", b.bootstrapServers()), 30);
            assertEquals(ClusterProblem.Kind.NOT_AUTHORIZED, e.kind());
            assertTrue(e.getMessage().startsWith("topic acl-layers: this principal may not WRITE it (ACLs)"), e.getMessage());
            assertTrue(e.getMessage().contains("--operation Write --topic acl-layers"), e.getMessage());
        }
    }

    @Test
    void aStartDoesNotPrintTheGlobalThreadWarning() throws Exception {
        TestBroker b = SharedBroker.get();
        b.createTopics("start3-commands", "start3-layers", "start3-dead-letters", 1);
        Properties p = props("start3", b.bootstrapServers());
        String log = captureWarnings(() -> {
            try (TopologyApp app = TopologyApp.start(p)) {
                assertTrue(app.awaitRunning(Duration.ofSeconds(120)), "running");
            }
            return null;
        });
        assertFalse(log.contains(GLOBAL_WARNING), log);

        // The capture sees the warning when the setting is off (so the assertion above can fail).
        Properties off = new Properties();
        off.putAll(p);
        off.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "false");
        String offLog = captureWarnings(() -> new StreamsConfig(off));
        assertTrue(offLog.contains(GLOBAL_WARNING), offLog);
    }

    /** What is logged at WARN or above while {@code body} runs, Kafka's loggers included. */
    static String captureWarnings(Callable<?> body) throws Exception {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration cfg = ctx.getConfiguration();
        StringWriter out = new StringWriter();
        WriterAppender appender = WriterAppender.newBuilder().setName("capture-" + System.nanoTime()).setTarget(out)
                .setLayout(PatternLayout.newBuilder().withPattern("%level [%t] %c{1}: %msg%n").build()).build();
        appender.start();
        cfg.addAppender(appender);
        cfg.getRootLogger().addAppender(appender, Level.WARN, null);
        // the test configuration quietens StreamsConfig, where the warning comes from
        Level was = LogManager.getLogger(StreamsConfig.class).getLevel();
        Configurator.setLevel(StreamsConfig.class.getName(), Level.WARN);
        ctx.updateLoggers();
        try {
            body.call();
        } finally {
            Configurator.setLevel(StreamsConfig.class.getName(), was);
            cfg.getRootLogger().removeAppender(appender.getName());
            ctx.updateLoggers();
            appender.stop();
        }
        return out.toString();
    }
}
