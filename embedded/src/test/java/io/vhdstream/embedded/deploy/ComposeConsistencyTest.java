package io.vhdstream.embedded.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vhdstream.connector.source.VhdSourceConnectorConfig;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.config.TopologyConfig;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docker-compose.yml cannot be run here (no Docker engine), so this keeps it consistent with what it runs:
 * <ul>
 *   <li>every host file or directory it mounts or names through a mount exists in the repository, or is built by
 *       {@code mvn package} (then the POM / assembly configuration that produces exactly that path is checked);</li>
 *   <li>every client address — bootstrap servers of the configuration the containers run with (config/ plus
 *       config/compose/), {@code --bootstrap-server} of the tools, the REST URLs of the connector registration and
 *       the worker's health check — matches a listener declared in the file; the unmodified addresses in config/
 *       match the ports published to the host;</li>
 *   <li>every topic the mounted configuration names (the topology's commands/layers/dead-letter topics, the source's
 *       {@code topic} and {@code errors.topic}, the sink's {@code topics} and dead-letter queue) is created by the
 *       topic-creation service, the topology's with the settings of config/topics.properties;</li>
 *   <li>{@code max.message.bytes} (topics and broker) is at least every producer's {@code max.request.size};</li>
 *   <li>the {@code apache/kafka} image tag is the root POM's {@code kafka.version};</li>
 *   <li>the topology writes its layers where the Connect source reads them (same named volume), the replica and the
 *       plugin directory are mounted where the connectors expect them, health checks and start-up order fit, and no
 *       string is subject to Compose's {@code $} interpolation by accident.</li>
 * </ul>
 * Each check returns its problems; {@code theChecksCanFail} feeds deliberately broken variants through them.
 */
class ComposeConsistencyTest {
    static final Path REPO = Path.of(System.getProperty("vhdstream.repo.dir", "..")).toAbsolutePath().normalize();
    static final String COMPOSE_FILE = "docker-compose.yml";
    /** Kafka's producer default for {@code max.request.size}, used where a client does not set it. */
    static final long DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
    /** The broker's default {@code message.max.bytes}. */
    static final long DEFAULT_MESSAGE_MAX_BYTES = 1024 * 1024 + 12;

    // ----------------------------------------------------------------------------------------------------------
    // The tests
    // ----------------------------------------------------------------------------------------------------------

    @Test
    void composeFileIsConsistentWithTheRepository() {
        Deployment d = Deployment.load(new Repo(REPO, Map.of()));
        List<String> problems = d.allProblems();
        if (!problems.isEmpty()) {
            fail(COMPOSE_FILE + " is inconsistent:\n  - " + String.join("\n  - ", problems));
        }
    }

    @Test
    void servicesAreFoundByWhatTheyRun() {
        Deployment d = Deployment.load(new Repo(REPO, Map.of()));
        assertEquals("kafka", d.kafka);
        assertEquals("topics", d.topicsService);
        assertEquals("connect", d.connect);
        assertEquals("topology", d.topology);
        assertEquals("register-connectors", d.register);
        // What the checks below work from, so that a parser slip cannot make them vacuous.
        assertEquals(Set.of("vhdstream-commands", "vhdstream-layers", "vhdstream-dead-letters", "vhdstream-checkpoints", "vhdstream-blocks",
                "vhdstream-source-errors", "vhdstream-replica-dlq"), d.requiredTopics().keySet());
        assertEquals(d.requiredTopics().keySet(), d.createdTopics().keySet());
        assertEquals("kafka:19092", d.effectiveConfig(d.connect).getProperty("bootstrap.servers"));
        assertEquals("kafka:19092", d.effectiveConfig(d.topology).getProperty("bootstrap.servers"));
        assertEquals(2, d.connectorConfigs().size());
        assertTrue(d.restUrls().size() >= 2, "REST URLs found: " + d.restUrls());
    }

    /** Every check reports a deliberately broken variant of the file or of a configuration file. */
    @Test
    void theChecksCanFail() {
        // A topic name that no longer matches config/vhd-source-connector.json.
        assertProblem(Map.of(), c -> c.replace("--topic vhdstream-blocks", "--topic vhdstream-block"),
                "vhdstream-blocks");
        // The topology's dead-letter topic renamed in the mounted override file.
        assertProblem(Map.of("config/compose/topology.properties", readRepo("config/compose/topology.properties")
                + "\nvhdstream.topic.dead.letters=vhdstream-dlq\n"), c -> c, "vhdstream-dlq");
        // The commands topic with the broker's default retention (differs from config/topics.properties).
        assertProblem(Map.of(), c -> c.replace("--config retention.ms=2592000000 --config retention.bytes=-1",
                "--config retention.bytes=-1"), "retention.ms");
        // Another Kafka version than the POM's.
        assertProblem(Map.of(), c -> c.replace("image: apache/kafka:4.3.1\n    hostname: kafka", "image: apache/kafka:4.2.0\n    hostname: kafka"),
                "kafka.version");
        // The worker pointed at a port no listener has.
        assertProblem(Map.of("config/compose/connect-distributed.properties",
                readRepo("config/compose/connect-distributed.properties").replace("kafka:19092", "kafka:9092")), c -> c,
                "kafka:9092");
        // The registration talking to another port than the worker's REST listener.
        assertProblem(Map.of(), c -> c.replace("http://connect:8083/connectors/vhd-source", "http://connect:8084/connectors/vhd-source"),
                "8084");
        // A producer allowed larger records than the topics accept.
        assertProblem(Map.of("config/compose/topology.properties", readRepo("config/compose/topology.properties")
                + "\nproducer.max.request.size=4194304\n"), c -> c, "max.request.size");
        // A mounted path that is neither in the repository nor built.
        assertProblem(Map.of(), c -> c.replace("./connector/target/plugin:", "./connector/target/plugins:"), "connector/target/plugins");
        assertProblem(Map.of(), c -> c.replace("-Dlog4j2.configurationFile=/config/log4j2.properties \\",
                "-Dlog4j2.configurationFile=/config/log4j2.xml \\"), "log4j2.xml");
        // The topology writing its layers somewhere the source does not read.
        assertProblem(Map.of("config/compose/topology.properties", readRepo("config/compose/topology.properties")
                .replace("vhdstream.layers.dir=/var/lib/vhdstream/layers", "vhdstream.layers.dir=/var/lib/vhdstream/streams-state/layers")),
                c -> c, "layers");
        // A shell variable left to Compose's interpolation.
        assertProblem(Map.of(), c -> c.replace("i=$$((i + 1))", "i=$((i + 1))"), "interpolat");
        // Waiting for a health check that does not exist.
        assertProblem(Map.of(), c -> c.replace(
                "    depends_on:\n      connect:\n        condition: service_healthy",
                "    depends_on:\n      connect:\n        condition: service_healthy\n      topology:\n        condition: service_healthy"),
                "health");
    }

    static void assertProblem(Map<String, String> fileOverrides, Function<String, String> composeEdit, String expected) {
        Map<String, String> overrides = new HashMap<>(fileOverrides);
        String original = readRepo(COMPOSE_FILE);
        String edited = composeEdit.apply(original);
        if (edited.equals(original) && fileOverrides.isEmpty()) {
            fail("the edit meant to produce a problem about '" + expected + "' changed nothing: update the test");
        }
        overrides.put(COMPOSE_FILE, edited);
        List<String> problems = Deployment.load(new Repo(REPO, overrides)).allProblems();
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)),
                "expected a problem mentioning '" + expected + "', got " + problems);
    }

    static String readRepo(String rel) {
        return new Repo(REPO, Map.of()).read(rel);
    }

    // ----------------------------------------------------------------------------------------------------------
    // The repository (files can be replaced in memory by the tests above)
    // ----------------------------------------------------------------------------------------------------------

    record Repo(Path root, Map<String, String> overrides) {
        String rel(Path p) {
            return root.relativize(p.toAbsolutePath().normalize()).toString().replace('\\', '/');
        }

        boolean exists(String rel) {
            return overrides.containsKey(rel) || Files.exists(root.resolve(rel));
        }

        String read(String rel) {
            if (overrides.containsKey(rel)) {
                return overrides.get(rel);
            }
            try {
                return Files.readString(root.resolve(rel), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Properties properties(String rel) {
            Properties p = new Properties();
            try {
                p.load(new StringReader(read(rel)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return p;
        }

        Document xml(String rel) {
            try {
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setNamespaceAware(false);
                return f.newDocumentBuilder().parse(new ByteArrayInputStream(read(rel).getBytes(StandardCharsets.UTF_8)));
            } catch (Exception e) {
                throw new IllegalStateException("cannot parse " + rel + ": " + e, e);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // The compose model and the checks
    // ----------------------------------------------------------------------------------------------------------

    record Mount(String source, String target, boolean readOnly, boolean bind) {
        /** The part of {@code containerPath} below this mount, or empty if it is not under it. */
        Optional<String> below(String containerPath) {
            Path c = Path.of(containerPath).normalize();
            Path t = Path.of(target).normalize();
            return c.startsWith(t) ? Optional.of(t.relativize(c).toString()) : Optional.empty();
        }
    }

    /** A topic created by the topic-creation service. */
    record CreatedTopic(String name, Integer partitions, Map<String, String> configs) {
    }

    /** One listener of the broker: name, bind port, advertised host and port (if advertised). */
    record Listener(String name, int port, String advertisedHost, Integer advertisedPort) {
    }

    static final class Deployment {
        final Repo repo;
        final Map<String, Object> root;
        final Map<String, Map<String, Object>> services = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();
        String kafka;
        String topicsService;
        String connect;
        String topology;
        String register;

        private Deployment(Repo repo, Map<String, Object> root) {
            this.repo = repo;
            this.root = root;
        }

        @SuppressWarnings("unchecked")
        static Deployment load(Repo repo) {
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            Object doc = yaml.load(repo.read(COMPOSE_FILE));
            if (!(doc instanceof Map)) {
                throw new IllegalStateException(COMPOSE_FILE + " is not a YAML mapping");
            }
            Deployment d = new Deployment(repo, (Map<String, Object>) doc);
            Object services = d.root.get("services");
            if (!(services instanceof Map)) {
                throw new IllegalStateException(COMPOSE_FILE + " has no services");
            }
            ((Map<String, Object>) services).forEach((k, v) -> d.services.put(k, v == null ? Map.of() : (Map<String, Object>) v));
            d.kafka = d.oneService("the broker (KAFKA_PROCESS_ROLES with broker)",
                    s -> d.env(s).getOrDefault("KAFKA_PROCESS_ROLES", "").contains("broker"));
            d.topicsService = d.oneService("the topic creation (kafka-topics.sh --create)",
                    s -> d.script(s).contains("kafka-topics.sh") && d.script(s).contains("--create"));
            d.connect = d.oneService("the Connect worker (connect-distributed.sh)", s -> d.script(s).contains("connect-distributed.sh"));
            d.topology = d.oneService("the topology (io.vhdstream.cli.Main topology)",
                    s -> d.script(s).matches("(?s).*io\\.vhdstream\\.cli\\.Main\\s+topology\\b.*"));
            d.register = d.oneService("the connector registration (curl -X PUT)",
                    s -> d.script(s).contains("curl") && d.script(s).contains("-X PUT"));
            return d;
        }

        private String oneService(String what, java.util.function.Predicate<String> p) {
            List<String> found = services.keySet().stream().filter(p).toList();
            if (found.size() != 1) {
                throw new IllegalStateException(COMPOSE_FILE + ": expected exactly one service running " + what + ", found " + found);
            }
            return found.get(0);
        }

        List<String> allProblems() {
            List<String> all = new ArrayList<>(checkImages());
            all.addAll(checkInterpolation());
            all.addAll(checkHostPaths());
            all.addAll(checkBrokerListeners());
            all.addAll(checkBootstrapAddresses());
            all.addAll(checkRestAddresses());
            all.addAll(checkTopics());
            all.addAll(checkRecordSizes());
            all.addAll(checkStorage());
            all.addAll(checkStartupOrder());
            all.addAll(checkLogging());
            all.addAll(problems);   // found while reading the file (unmounted configuration files, ...)
            return all.stream().distinct().toList();
        }

        // ---- accessors ---------------------------------------------------------------------------------------

        Map<String, Object> service(String name) {
            return services.getOrDefault(name, Map.of());
        }

        String image(String s) {
            return String.valueOf(service(s).getOrDefault("image", ""));
        }

        Set<String> networkNames(String s) {
            Set<String> names = new LinkedHashSet<>();
            names.add(s);
            for (String k : List.of("hostname", "container_name")) {
                if (service(s).get(k) != null) {
                    names.add(String.valueOf(service(s).get(k)));
                }
            }
            return names;
        }

        Map<String, String> env(String s) {
            Map<String, String> out = new LinkedHashMap<>();
            Object e = service(s).get("environment");
            if (e instanceof Map<?, ?> m) {
                m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
            } else if (e instanceof List<?> l) {
                for (Object o : l) {
                    String kv = String.valueOf(o);
                    int eq = kv.indexOf('=');
                    out.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
                }
            }
            return out;
        }

        private static String text(Object o) {
            if (o == null) {
                return "";
            }
            if (o instanceof List<?> l) {
                return String.join(" ", l.stream().map(String::valueOf).toList());
            }
            return String.valueOf(o);
        }

        /** Entry point and command as the shell sees them (Compose's {@code $$} escapes undone). */
        String script(String s) {
            Object cmd = service(s).get("command");
            String c;
            if (cmd instanceof List<?> l && service(s).get("entrypoint") instanceof List<?> ep
                    && ep.stream().map(String::valueOf).anyMatch(x -> x.matches("-\\w*c"))) {
                c = String.join("\n", l.stream().map(String::valueOf).toList());   // sh -c SCRIPT
            } else {
                c = text(cmd);
            }
            return (text(service(s).get("entrypoint")) + "\n" + c).replace("$$", "$");
        }

        @SuppressWarnings("unchecked")
        String healthcheck(String s) {
            Object h = service(s).get("healthcheck");
            return h instanceof Map<?, ?> m ? text(((Map<String, Object>) m).get("test")).replace("$$", "$") : "";
        }

        /** Script lines with continuations joined and comment lines dropped. */
        static List<String> lines(String script) {
            List<String> out = new ArrayList<>();
            for (String line : script.replaceAll("\\\\\\s*\\n", " ").split("\n")) {
                if (!line.isBlank() && !line.trim().startsWith("#")) {
                    out.add(line.trim());
                }
            }
            return out;
        }

        static List<String> tokens(String line) {
            List<String> out = new ArrayList<>();
            for (String t : line.trim().split("\\s+")) {
                out.add(t.replaceAll("^[\"']+|[\"';]+$", ""));
            }
            return out;
        }

        static String after(List<String> tokens, String flag) {
            int i = tokens.indexOf(flag);
            return i >= 0 && i + 1 < tokens.size() ? tokens.get(i + 1) : null;
        }

        @SuppressWarnings("unchecked")
        List<Mount> mounts(String s) {
            List<Mount> out = new ArrayList<>();
            Object v = service(s).get("volumes");
            if (!(v instanceof List<?> l)) {
                return out;
            }
            for (Object o : l) {
                if (o instanceof Map<?, ?> m) {
                    Map<String, Object> mm = (Map<String, Object>) m;
                    String src = String.valueOf(mm.get("source"));
                    out.add(new Mount(src, String.valueOf(mm.get("target")), Boolean.TRUE.equals(mm.get("read_only")),
                            "bind".equals(mm.get("type"))));
                } else {
                    String[] parts = String.valueOf(o).split(":");
                    if (parts.length < 2) {
                        problems.add(s + ": anonymous volume " + o + " (use a named volume)");
                        continue;
                    }
                    boolean ro = parts.length > 2 && Arrays.asList(parts[2].split(",")).contains("ro");
                    boolean bind = parts[0].startsWith(".") || parts[0].startsWith("/") || parts[0].startsWith("~");
                    out.add(new Mount(parts[0], parts[1], ro, bind));
                }
            }
            return out;
        }

        /** The mount a container path lies on (the deepest one). */
        Optional<Mount> mountOf(String s, String containerPath) {
            Mount best = null;
            for (Mount m : mounts(s)) {
                if (m.below(containerPath).isPresent() && (best == null || m.target().length() > best.target().length())) {
                    best = m;
                }
            }
            return Optional.ofNullable(best);
        }

        /** The repository-relative host path of a container path on a bind mount. */
        Optional<String> hostPath(String s, String containerPath) {
            return mountOf(s, containerPath).filter(Mount::bind).map(m -> {
                String below = m.below(containerPath).orElseThrow();
                return repo.rel(repo.root().resolve(m.source()).resolve(below));
            });
        }

        /** "volume NAME/sub/path" or "host PATH" for a container path, to compare locations across containers. */
        Optional<String> location(String s, String containerPath) {
            return mountOf(s, containerPath).map(m -> {
                String below = m.below(containerPath).orElseThrow();
                return m.bind() ? "host " + repo.rel(repo.root().resolve(m.source()).resolve(below))
                        : "volume " + Path.of(m.source()).resolve(below).normalize();
            });
        }

        /**
         * The properties a service runs with: the file after {@code flag} in its script (connect-distributed.sh,
         * --config), merged from the files a {@code cat A B > FILE} line concatenates, then {@code --set k=v}.
         */
        Properties effectiveConfig(String s) {
            return effective(s, configFileArgument(s), true);
        }

        /** The same, but only the first file (config/ as it is, for clients outside the containers). */
        Properties unmodifiedConfig(String s) {
            return effective(s, configFileArgument(s), false);
        }

        String configFileArgument(String s) {
            for (String line : lines(script(s))) {
                List<String> t = tokens(line);
                String f = s.equals(connect) ? after(t, "/opt/kafka/bin/connect-distributed.sh") : after(t, "--config");
                if (f == null && s.equals(connect)) {
                    f = t.stream().filter(x -> x.endsWith("connect-distributed.sh")).findFirst().map(x -> after(t, x)).orElse(null);
                }
                if (f != null) {
                    return f;
                }
            }
            problems.add(s + ": cannot find the configuration file it runs with");
            return null;
        }

        private Properties effective(String s, String file, boolean all) {
            Properties p = new Properties();
            if (file == null) {
                return p;
            }
            List<String> sources = List.of(file);
            for (String line : lines(script(s))) {
                Matcher m = Pattern.compile(">\\s*" + Pattern.quote(file) + "(\\s|$)").matcher(line);
                if (m.find()) {
                    sources = tokens(line.substring(0, m.start())).stream().filter(t -> t.startsWith("/") && t.endsWith(".properties")).toList();
                }
            }
            for (String src : all ? sources : sources.subList(0, Math.min(1, sources.size()))) {
                Optional<String> host = hostPath(s, src);
                if (host.isEmpty() || !repo.exists(host.get())) {
                    problems.add(s + ": configuration file " + src + " is not a file of the repository mounted into the container");
                    continue;
                }
                p.putAll(repo.properties(host.get()));
            }
            if (all) {
                for (String line : lines(script(s))) {
                    List<String> t = tokens(line);
                    for (int i = 0; i + 1 < t.size(); i++) {
                        if (t.get(i).equals("--set") && t.get(i + 1).contains("=")) {
                            String kv = t.get(i + 1);
                            p.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                        }
                    }
                }
            }
            return p;
        }

        /** The connector configurations the registration service PUTs: container path of the JSON → its keys. */
        Map<String, Map<String, String>> connectorConfigs() {
            Map<String, Map<String, String>> out = new LinkedHashMap<>();
            for (String line : lines(script(register))) {
                for (String t : tokens(line)) {
                    String path = t.startsWith("@") ? t.substring(1) : t;
                    if (path.startsWith("/") && path.endsWith(".json")) {
                        Optional<String> host = hostPath(register, path);
                        if (host.isEmpty() || !repo.exists(host.get())) {
                            problems.add(register + ": connector configuration " + path + " is not a mounted repository file");
                            continue;
                        }
                        try {
                            out.put(host.get(), new ObjectMapper().readValue(repo.read(host.get()), new TypeReference<Map<String, String>>() { }));
                        } catch (IOException e) {
                            problems.add(host.get() + " is not a JSON object of strings: " + e.getMessage());
                        }
                    }
                }
            }
            return out;
        }

        Optional<Map<String, String>> connectorOfClass(String classPart) {
            return connectorConfigs().values().stream()
                    .filter(c -> c.getOrDefault("connector.class", "").contains(classPart)).findFirst();
        }

        static final Pattern URL = Pattern.compile("https?://([A-Za-z0-9._-]+):(\\d+)(/\\S*)?");

        List<String> restUrls() {
            List<String> out = new ArrayList<>();
            Matcher m = URL.matcher(script(register));
            while (m.find()) {
                out.add(m.group());
            }
            return out;
        }

        // ---- checks -------------------------------------------------------------------------------------------

        List<String> checkImages() {
            List<String> out = new ArrayList<>();
            String kafkaVersion = text(repo.xml("pom.xml").getDocumentElement(), "properties/kafka.version");
            int kafkaImages = 0;
            for (String s : services.keySet()) {
                String image = image(s);
                int colon = image.lastIndexOf(':');
                if (image.isEmpty() || colon < 0 || image.endsWith(":latest")) {
                    out.add(s + ": image '" + image + "' must name a fixed tag");
                    continue;
                }
                if (image.startsWith("apache/kafka:")) {
                    kafkaImages++;
                    String tag = image.substring(colon + 1);
                    if (!tag.equals(kafkaVersion)) {
                        out.add(s + ": image " + image + " but the root pom.xml has kafka.version " + kafkaVersion);
                    }
                }
            }
            if (kafkaImages == 0) {
                out.add("no service uses the apache/kafka image");
            }
            return out;
        }

        List<String> checkInterpolation() {
            List<String> out = new ArrayList<>();
            walkStrings(root, "", (where, str) -> {
                if (str.replace("$$", "").contains("$")) {
                    out.add(where + ": '$' would be interpolated by Compose (write $$ for the shell): " + str.lines().filter(
                            l -> l.replace("$$", "").contains("$")).findFirst().orElse(str).trim());
                }
            });
            return out;
        }

        private static void walkStrings(Object o, String where, java.util.function.BiConsumer<String, String> f) {
            if (o instanceof Map<?, ?> m) {
                m.forEach((k, v) -> walkStrings(v, where.isEmpty() ? String.valueOf(k) : where + "." + k, f));
            } else if (o instanceof List<?> l) {
                for (int i = 0; i < l.size(); i++) {
                    walkStrings(l.get(i), where + "[" + i + "]", f);
                }
            } else if (o instanceof String str) {
                f.accept(where, str);
            }
        }

        static final Pattern ABSOLUTE_PATH = Pattern.compile("(?:^|[\\s=\"'@,])(/[A-Za-z0-9._/-]+)");

        List<String> checkHostPaths() {
            List<String> out = new ArrayList<>();
            for (String s : services.keySet()) {
                for (Mount m : mounts(s)) {
                    if (!m.bind()) {
                        continue;
                    }
                    Path host = repo.root().resolve(m.source()).normalize();
                    if (!host.startsWith(repo.root())) {
                        out.add(s + ": mounts " + m.source() + ", outside the repository");
                        continue;
                    }
                    checkHostPath(s, repo.rel(host), "mounts", out);
                }
                List<String> texts = new ArrayList<>(List.of(script(s), healthcheck(s)));
                texts.addAll(env(s).values());
                for (String t : texts) {
                    Matcher pm = ABSOLUTE_PATH.matcher(t);
                    while (pm.find()) {
                        String path = pm.group(1);
                        Optional<String> host = hostPath(s, path);
                        if (host.isPresent()) {
                            checkHostPath(s, host.get(), "uses " + path + ", i.e.", out);
                        }
                    }
                }
            }
            return out;
        }

        private void checkHostPath(String s, String rel, String how, List<String> out) {
            if (rel.isEmpty() || repo.exists(rel) && !rel.matches("(.*/)?target[^/]*(/.*)?")) {
                return;
            }
            String why = buildOutput(rel);
            if (why != null) {
                out.add(s + ": " + how + " " + rel + ", " + why);
            }
        }

        /**
         * Null if {@code mvn package} produces {@code rel} (repository-relative), with the POM configuration that
         * does so checked; else why not.
         */
        String buildOutput(String rel) {
            String[] parts = rel.split("/");
            if (parts.length < 2 || !parts[1].equals("target")) {
                return "which does not exist in the repository and is not under a module's target/";
            }
            String module = parts[0];
            if (!repo.exists(module + "/pom.xml")) {
                return "but " + module + " is not a Maven module";
            }
            Element rootPom = repo.xml("pom.xml").getDocumentElement();
            if (!"${project.basedir}/target${build.suffix}".equals(text(rootPom, "build/directory"))
                    || !text(rootPom, "properties/build.suffix").isEmpty()) {
                return "but the root pom.xml no longer builds into <module>/target by default (build/directory, build.suffix)";
            }
            Element pom = repo.xml(module + "/pom.xml").getDocumentElement();
            String below = String.join("/", Arrays.asList(parts).subList(2, parts.length));
            if (module.equals("connector") && (below.equals("plugin") || below.equals("plugin/vhdstream-connector"))) {
                return connectorPluginDir(pom);
            }
            if (module.equals("cli")) {
                String artifact = text(pom, "artifactId");
                String version = text(pom, "version").isEmpty() ? text(pom, "parent/version") : text(pom, "version");
                String packaging = text(pom, "packaging").isEmpty() ? "jar" : text(pom, "packaging");
                if (below.equals(artifact + "-" + version + ".jar") && packaging.equals("jar")) {
                    Element jar = plugin(pom, "maven-jar-plugin");
                    if (jar == null || !"lib/".equals(text(jar, "configuration/archive/manifest/classpathPrefix"))
                            || !"true".equals(text(jar, "configuration/archive/manifest/addClasspath"))) {
                        return "but cli/pom.xml's jar manifest no longer lists its dependencies under lib/ (classpathPrefix, addClasspath)";
                    }
                    return cliLibDir(pom);
                }
                if (below.equals("lib")) {
                    return cliLibDir(pom);
                }
            }
            return "which no POM configuration known to this test produces";
        }

        private String connectorPluginDir(Element pom) {
            Element assembly = plugin(pom, "maven-assembly-plugin");
            if (assembly == null || !"${project.build.directory}/plugin".equals(text(assembly, "configuration/outputDirectory"))
                    || !"false".equals(text(assembly, "configuration/appendAssemblyId"))) {
                return "but connector/pom.xml's assembly plugin no longer writes to ${project.build.directory}/plugin without an assembly id";
            }
            for (Element ex : children(child(assembly, "executions"), "execution")) {
                if ("vhdstream-connector".equals(text(ex, "configuration/finalName")) && "package".equals(text(ex, "phase"))) {
                    String descriptor = text(ex, "configuration/descriptors/descriptor");
                    if (!repo.exists("connector/" + descriptor)) {
                        return "but its assembly descriptor connector/" + descriptor + " is missing";
                    }
                    String d = repo.read("connector/" + descriptor);
                    if (!d.contains("<format>dir</format>")) {
                        return "but connector/" + descriptor + " does not build a directory";
                    }
                    return null;
                }
            }
            return "but connector/pom.xml has no package-phase assembly with finalName vhdstream-connector";
        }

        private String cliLibDir(Element pom) {
            Element dep = plugin(pom, "maven-dependency-plugin");
            if (dep != null) {
                for (Element ex : children(child(dep, "executions"), "execution")) {
                    if ("package".equals(text(ex, "phase")) && text(ex, "goals").contains("copy-dependencies")
                            && "${project.build.directory}/lib".equals(text(ex, "configuration/outputDirectory"))) {
                        return null;
                    }
                }
            }
            return "but cli/pom.xml no longer copies its runtime dependencies to ${project.build.directory}/lib at package";
        }

        List<Listener> listeners() {
            Map<String, String> env = env(kafka);
            Map<String, Listener> byName = new LinkedHashMap<>();
            for (String l : env.getOrDefault("KAFKA_LISTENERS", "").split(",")) {
                Matcher m = Pattern.compile("([A-Za-z_]+)://([^:]*):(\\d+)").matcher(l.trim());
                if (m.matches()) {
                    byName.put(m.group(1), new Listener(m.group(1), Integer.parseInt(m.group(3)), null, null));
                }
            }
            for (String l : env.getOrDefault("KAFKA_ADVERTISED_LISTENERS", "").split(",")) {
                Matcher m = Pattern.compile("([A-Za-z_]+)://([^:]+):(\\d+)").matcher(l.trim());
                if (m.matches() && byName.containsKey(m.group(1))) {
                    Listener b = byName.get(m.group(1));
                    byName.put(b.name(), new Listener(b.name(), b.port(), m.group(2), Integer.parseInt(m.group(3))));
                } else if (m.matches()) {
                    problems.add(kafka + ": advertised listener " + m.group(1) + " is not in KAFKA_LISTENERS");
                }
            }
            return new ArrayList<>(byName.values());
        }

        List<String> checkBrokerListeners() {
            List<String> out = new ArrayList<>();
            Map<String, String> env = env(kafka);
            List<Listener> ls = listeners();
            Set<String> names = new LinkedHashSet<>(ls.stream().map(Listener::name).toList());
            for (String required : List.of("KAFKA_NODE_ID", "KAFKA_PROCESS_ROLES", "KAFKA_LISTENERS", "KAFKA_ADVERTISED_LISTENERS",
                    "KAFKA_CONTROLLER_QUORUM_VOTERS", "KAFKA_CONTROLLER_LISTENER_NAMES", "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
                    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "KAFKA_MESSAGE_MAX_BYTES")) {
                if (env.getOrDefault(required, "").isBlank()) {
                    out.add(kafka + ": " + required + " is not set");
                }
            }
            for (String rf : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
                if (!"1".equals(env.get(rf))) {
                    out.add(kafka + ": " + rf + " must be 1 on a single broker, is " + env.get(rf));
                }
            }
            Set<String> mapped = new LinkedHashSet<>();
            for (String e : env.getOrDefault("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "").split(",")) {
                mapped.add(e.split(":")[0].trim());
            }
            if (!mapped.containsAll(names)) {
                out.add(kafka + ": KAFKA_LISTENER_SECURITY_PROTOCOL_MAP " + mapped + " does not cover the listeners " + names);
            }
            String controller = env.getOrDefault("KAFKA_CONTROLLER_LISTENER_NAMES", "");
            if (!names.contains(controller)) {
                out.add(kafka + ": controller listener " + controller + " is not in KAFKA_LISTENERS");
            }
            String interBroker = env.get("KAFKA_INTER_BROKER_LISTENER_NAME");
            if (interBroker != null && ls.stream().noneMatch(l -> l.name().equals(interBroker) && l.advertisedHost() != null)) {
                out.add(kafka + ": inter-broker listener " + interBroker + " is not an advertised listener");
            }
            for (String voter : env.getOrDefault("KAFKA_CONTROLLER_QUORUM_VOTERS", "").split(",")) {
                Matcher m = Pattern.compile("(\\d+)@([^:]+):(\\d+)").matcher(voter.trim());
                if (!m.matches()) {
                    out.add(kafka + ": cannot read quorum voter '" + voter + "'");
                    continue;
                }
                if (!m.group(1).equals(env.get("KAFKA_NODE_ID"))) {
                    out.add(kafka + ": quorum voter " + voter + " is not KAFKA_NODE_ID " + env.get("KAFKA_NODE_ID"));
                }
                if (!networkNames(kafka).contains(m.group(2))) {
                    out.add(kafka + ": quorum voter host " + m.group(2) + " is not this service's name " + networkNames(kafka));
                }
                int port = Integer.parseInt(m.group(3));
                if (ls.stream().noneMatch(l -> l.name().equals(controller) && l.port() == port)) {
                    out.add(kafka + ": quorum voter port " + port + " is not the " + controller + " listener's port");
                }
            }
            return out;
        }

        /** host:port addresses containers reach the broker at. */
        Set<String> networkBootstrap() {
            Set<String> out = new LinkedHashSet<>();
            for (Listener l : listeners()) {
                if (l.advertisedHost() != null && networkNames(kafka).contains(l.advertisedHost()) && l.advertisedPort() == l.port()) {
                    for (String n : networkNames(kafka)) {
                        out.add(n + ":" + l.port());
                    }
                }
            }
            return out;
        }

        /** host:port addresses the host reaches a service's container port at (published ports). */
        Map<Integer, Integer> published(String s) {
            Map<Integer, Integer> containerToHost = new LinkedHashMap<>();
            Object p = service(s).get("ports");
            if (p instanceof List<?> l) {
                for (Object o : l) {
                    String[] parts = String.valueOf(o).split(":");
                    if (parts.length >= 2) {
                        containerToHost.put(Integer.parseInt(parts[parts.length - 1].replaceAll("/.*", "")),
                                Integer.parseInt(parts[parts.length - 2]));
                    }
                }
            }
            return containerToHost;
        }

        Set<String> hostBootstrap() {
            Set<String> out = new LinkedHashSet<>();
            Map<Integer, Integer> pub = published(kafka);
            for (Listener l : listeners()) {
                Integer hostPort = pub.get(l.port());
                if (hostPort != null && Set.of("localhost", "127.0.0.1").contains(l.advertisedHost()) && hostPort.equals(l.advertisedPort())) {
                    out.add("localhost:" + hostPort);
                    out.add("127.0.0.1:" + hostPort);
                }
            }
            return out;
        }

        List<String> checkBootstrapAddresses() {
            List<String> out = new ArrayList<>();
            Set<String> network = networkBootstrap();
            Set<String> host = hostBootstrap();
            if (network.isEmpty()) {
                out.add(kafka + ": no listener is advertised under the service's own name with its own port");
            }
            for (String s : List.of(connect, topology)) {
                String bs = effectiveConfig(s).getProperty("bootstrap.servers", "");
                for (String a : bs.split(",")) {
                    if (!network.contains(a.trim())) {
                        out.add(s + ": bootstrap.servers " + a.trim() + " (as run in the container) is not a broker listener "
                                + "on the compose network " + network);
                    }
                }
                String raw = unmodifiedConfig(s).getProperty("bootstrap.servers", "");
                for (String a : raw.split(",")) {
                    if (!host.contains(a.trim())) {
                        out.add(s + ": bootstrap.servers " + a.trim() + " of the config/ file is not a broker listener published "
                                + "to the host " + host);
                    }
                }
            }
            for (String s : services.keySet()) {
                for (String t : List.of(script(s), healthcheck(s))) {
                    List<String> tok = tokens(t.replace('\n', ' '));
                    for (int i = 0; i + 1 < tok.size(); i++) {
                        if (tok.get(i).equals("--bootstrap-server") && !network.contains(tok.get(i + 1))) {
                            out.add(s + ": --bootstrap-server " + tok.get(i + 1) + " is not a broker listener on the compose network " + network);
                        }
                    }
                }
            }
            return out;
        }

        Set<Integer> restPorts() {
            Set<Integer> ports = new LinkedHashSet<>();
            String listeners = effectiveConfig(connect).getProperty("listeners", "http://:8083");
            for (String l : listeners.split(",")) {
                Matcher m = Pattern.compile("https?://[^:]*:(\\d+)").matcher(l.trim());
                if (m.matches()) {
                    ports.add(Integer.parseInt(m.group(1)));
                }
            }
            return ports;
        }

        List<String> checkRestAddresses() {
            List<String> out = new ArrayList<>();
            Set<Integer> ports = restPorts();
            if (restUrls().isEmpty()) {
                out.add(register + ": no REST URL found");
            }
            for (String url : restUrls()) {
                Matcher m = URL.matcher(url);
                m.find();
                if (!networkNames(connect).contains(m.group(1))) {
                    out.add(register + ": " + url + " does not name the worker service " + networkNames(connect));
                }
                if (!ports.contains(Integer.parseInt(m.group(2)))) {
                    out.add(register + ": " + url + " uses port " + m.group(2) + ", the worker listens on " + ports);
                }
                if (m.group(3) == null || !m.group(3).matches("/connectors/[^/]+/config")) {
                    out.add(register + ": " + url + " is not PUT /connectors/NAME/config");
                }
            }
            Matcher hc = Pattern.compile("(?:/dev/tcp/localhost/|localhost:)(\\d+)").matcher(healthcheck(connect));
            if (!hc.find()) {
                out.add(connect + ": the health check does not query the REST API on localhost");
            } else if (!ports.contains(Integer.parseInt(hc.group(1)))) {
                out.add(connect + ": the health check uses port " + hc.group(1) + ", the worker listens on " + ports);
            }
            String advPort = effectiveConfig(connect).getProperty("rest.advertised.port");
            if (advPort != null && !ports.contains(Integer.parseInt(advPort.trim()))) {
                out.add(connect + ": rest.advertised.port " + advPort + " is not a listener port " + ports);
            }
            String advHost = effectiveConfig(connect).getProperty("rest.advertised.host.name");
            if (advHost != null && !networkNames(connect).contains(advHost.trim())) {
                out.add(connect + ": rest.advertised.host.name " + advHost + " is not the service's name " + networkNames(connect));
            }
            // config/ (README, docs) tells users to curl http://localhost:<listener port>: publish that port as is.
            for (String l : unmodifiedConfig(connect).getProperty("listeners", "http://:8083").split(",")) {
                Matcher lm = Pattern.compile("https?://[^:]*:(\\d+)").matcher(l.trim());
                if (lm.matches()) {
                    int port = Integer.parseInt(lm.group(1));
                    if (!Integer.valueOf(port).equals(published(connect).get(port))) {
                        out.add(connect + ": REST port " + port + " of config/connect-distributed.properties is not published "
                                + "to the host as " + port + " " + published(connect));
                    }
                }
            }
            return out;
        }

        Map<String, CreatedTopic> createdTopics() {
            Map<String, CreatedTopic> out = new LinkedHashMap<>();
            for (String line : lines(script(topicsService))) {
                List<String> t = tokens(line);
                if (t.stream().noneMatch(x -> x.endsWith("kafka-topics.sh")) || !t.contains("--create")) {
                    continue;
                }
                String name = after(t, "--topic");
                String partitions = after(t, "--partitions");
                Map<String, String> configs = new LinkedHashMap<>();
                for (int i = 0; i + 1 < t.size(); i++) {
                    if (t.get(i).equals("--config") && t.get(i + 1).contains("=")) {
                        String kv = t.get(i + 1);
                        configs.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                    }
                }
                if (name == null) {
                    problems.add(topicsService + ": a kafka-topics.sh --create without --topic: " + line);
                    continue;
                }
                out.put(name, new CreatedTopic(name, partitions == null ? null : Integer.valueOf(partitions), configs));
            }
            return out;
        }

        /** Topic → which configuration names it. */
        Map<String, String> requiredTopics() {
            Map<String, String> out = new LinkedHashMap<>();
            Properties t = effectiveConfig(topology);
            out.put(t.getProperty("vhdstream.topic.commands", Topics.COMMANDS), "topology vhdstream.topic.commands");
            out.put(t.getProperty("vhdstream.topic.layers", Topics.LAYERS), "topology vhdstream.topic.layers");
            out.put(t.getProperty("vhdstream.topic.dead.letters", Topics.DEAD_LETTERS), "topology vhdstream.topic.dead.letters");
            out.put(t.getProperty("vhdstream.topic.checkpoints", Topics.CHECKPOINTS), "topology vhdstream.topic.checkpoints");
            Optional<Map<String, String>> source = connectorOfClass("VhdSourceConnector");
            Optional<Map<String, String>> sink = connectorOfClass("VhdReplicaSinkConnector");
            if (source.isEmpty() || sink.isEmpty()) {
                problems.add(register + ": does not register both the source and the replica sink connector");
            }
            source.ifPresent(c -> {
                out.put(c.getOrDefault("topic", VhdSourceConnectorConfig.TOPIC_DEFAULT), "source connector topic");
                out.put(c.getOrDefault("errors.topic", VhdSourceConnectorConfig.ERRORS_TOPIC_DEFAULT), "source connector errors.topic");
            });
            sink.ifPresent(c -> {
                if (c.containsKey("topics.regex")) {
                    problems.add("the sink connector uses topics.regex: this test cannot tell which topics it reads");
                }
                for (String topic : c.getOrDefault("topics", "").split(",")) {
                    if (!topic.isBlank()) {
                        out.put(topic.trim(), "sink connector topics");
                    }
                }
                String dlq = c.getOrDefault("errors.deadletterqueue.topic.name", "");
                if (!dlq.isBlank()) {
                    out.put(dlq.trim(), "sink connector errors.deadletterqueue.topic.name");
                }
            });
            return out;
        }

        List<String> checkTopics() {
            List<String> out = new ArrayList<>();
            Map<String, CreatedTopic> created = createdTopics();
            requiredTopics().forEach((topic, who) -> {
                if (!created.containsKey(topic)) {
                    out.add(topicsService + ": does not create topic " + topic + " (" + who + "); it creates " + created.keySet());
                }
            });
            // The topology's topics as config/topics.properties (and TopicSetup) define them.
            Properties spec = repo.properties("config/topics.properties");
            for (String role : List.of("commands", "layers", "dead-letters", "checkpoints")) {
                String name = spec.getProperty(role + ".name");
                if (name == null) {
                    out.add("config/topics.properties has no " + role + ".name");
                    continue;
                }
                CreatedTopic c = created.get(name);
                if (c == null) {
                    out.add(topicsService + ": does not create " + name + " (config/topics.properties " + role + ".name)");
                    continue;
                }
                String partitions = spec.getProperty(role + ".partitions");
                if (partitions != null && !Integer.valueOf(partitions.trim()).equals(c.partitions())) {
                    out.add(topicsService + ": " + name + " with " + c.partitions() + " partitions, config/topics.properties says " + partitions);
                }
                Map<String, String> want = new LinkedHashMap<>();
                for (String k : spec.stringPropertyNames()) {
                    if (k.startsWith(role + ".config.")) {
                        want.put(k.substring((role + ".config.").length()), spec.getProperty(k).trim());
                    }
                }
                if (!want.equals(c.configs())) {
                    out.add(topicsService + ": " + name + " with --config " + c.configs() + ", config/topics.properties says " + want);
                }
            }
            // Recovery and rebuild need each disk's commands since its checkpointed base: a time limit, never compaction.
            String commands = effectiveConfig(topology).getProperty("vhdstream.topic.commands", Topics.COMMANDS);
            CreatedTopic c = created.get(commands);
            if (c != null && (c.configs().get("retention.ms") == null || "compact".equals(c.configs().get("cleanup.policy")))) {
                out.add(topicsService + ": the commands topic " + commands + " must state its retention.ms and never be compacted");
            }
            return out;
        }

        List<String> checkRecordSizes() {
            List<String> out = new ArrayList<>();
            Map<String, Long> producers = new LinkedHashMap<>();
            Properties t = effectiveConfig(topology);
            producers.put("topology producer.max.request.size", Long.parseLong(t.getProperty("producer.max.request.size",
                    t.getProperty("max.request.size", String.valueOf(DEFAULT_MAX_REQUEST_SIZE))).trim()));
            Properties w = effectiveConfig(connect);
            producers.put("Connect worker producer.max.request.size",
                    Long.parseLong(w.getProperty("producer.max.request.size", String.valueOf(DEFAULT_MAX_REQUEST_SIZE)).trim()));
            connectorConfigs().forEach((file, c) -> {
                String v = c.get("producer.override.max.request.size");
                if (v != null) {
                    producers.put(file + " producer.override.max.request.size", Long.parseLong(v.trim()));
                }
            });
            Map.Entry<String, Long> largest = producers.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
            String brokerValue = env(kafka).get("KAFKA_MESSAGE_MAX_BYTES");
            long broker = brokerValue == null ? DEFAULT_MESSAGE_MAX_BYTES : Long.parseLong(brokerValue.trim());
            if (broker < largest.getValue()) {
                out.add(kafka + ": KAFKA_MESSAGE_MAX_BYTES " + broker + " < " + largest.getKey() + " " + largest.getValue());
            }
            for (CreatedTopic c : createdTopics().values()) {
                String v = c.configs().get("max.message.bytes");
                long max = v == null ? broker : Long.parseLong(v);
                if (max < largest.getValue()) {
                    out.add(topicsService + ": topic " + c.name() + " max.message.bytes " + max + " < " + largest.getKey() + " "
                            + largest.getValue());
                }
            }
            return out;
        }

        List<String> checkStorage() {
            List<String> out = new ArrayList<>();
            Properties t = effectiveConfig(topology);
            String layersDir = t.getProperty("vhdstream.layers.dir", "");
            String stateDir = t.getProperty("state.dir", "");
            Optional<String> layersAt = Optional.empty();
            for (String[] dir : List.of(new String[] {"vhdstream.layers.dir", layersDir}, new String[] {"state.dir", stateDir})) {
                Optional<Mount> m = dir[1].startsWith("/") ? mountOf(topology, dir[1]) : Optional.empty();
                if (m.isEmpty() || m.get().bind() || m.get().readOnly()) {
                    out.add(topology + ": " + dir[0] + " " + dir[1] + " must be an absolute path on a writable named volume "
                            + "(kept across container re-creation)");
                }
            }
            if (layersDir.startsWith("/")) {
                layersAt = location(topology, layersDir);
            }
            try {
                TopologyConfig.of(t);
            } catch (ConfigException e) {
                out.add(topology + ": the configuration it runs with is invalid: " + e.getMessage());
            }
            Optional<Map<String, String>> source = connectorOfClass("VhdSourceConnector");
            if (source.isPresent()) {
                boolean readsLayers = false;
                for (String r : source.get().getOrDefault("roots", "").split(",")) {
                    String root = r.trim();
                    Optional<String> at = location(connect, root);
                    if (at.isEmpty()) {
                        out.add(connect + ": source root " + root + " is not mounted into the worker (the connector would be rejected)");
                    } else if (at.equals(layersAt)) {
                        readsLayers = true;
                    }
                }
                if (!readsLayers) {
                    out.add(connect + ": no source root is the topology's vhdstream.layers.dir " + layersDir + " (" + layersAt.orElse("?")
                            + "): the source would not see the layers");
                }
            }
            connectorOfClass("VhdReplicaSinkConnector").ifPresent(c -> {
                String dir = c.getOrDefault("replica.dir", "");
                Optional<Mount> m = mountOf(connect, dir);
                if (m.isEmpty() || m.get().readOnly() || m.get().bind()) {
                    out.add(connect + ": replica.dir " + dir + " is not on a writable named volume");
                }
            });
            boolean pluginMounted = false;
            for (String p : effectiveConfig(connect).getProperty("plugin.path", "").split(",")) {
                for (Mount m : mounts(connect)) {
                    if (m.bind() && Path.of(m.target()).normalize().equals(Path.of(p.trim()).normalize())
                            && repo.rel(repo.root().resolve(m.source())).equals("connector/target/plugin")) {
                        pluginMounted = true;
                    }
                }
            }
            if (!pluginMounted) {
                out.add(connect + ": connector/target/plugin (the built plugin) is not mounted on plugin.path "
                        + effectiveConfig(connect).getProperty("plugin.path"));
            }
            Object declared = root.get("volumes");
            Set<String> names = declared instanceof Map<?, ?> dm ? dm.keySet().stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new)) : Set.of();
            Set<String> used = new LinkedHashSet<>();
            for (String s : services.keySet()) {
                for (Mount m : mounts(s)) {
                    if (!m.bind()) {
                        used.add(m.source());
                        if (!names.contains(m.source())) {
                            out.add(s + ": named volume " + m.source() + " is not declared under volumes:");
                        }
                    }
                }
            }
            for (String n : names) {
                if (!used.contains(n)) {
                    out.add("volume " + n + " is declared but no service uses it");
                }
            }
            return out;
        }

        @SuppressWarnings("unchecked")
        Map<String, String> dependsOn(String s) {
            Map<String, String> out = new LinkedHashMap<>();
            Object d = service(s).get("depends_on");
            if (d instanceof List<?> l) {
                l.forEach(x -> out.put(String.valueOf(x), "service_started"));
            } else if (d instanceof Map<?, ?> m) {
                ((Map<String, Object>) m).forEach((k, v) -> out.put(k, v instanceof Map<?, ?> vm && vm.get("condition") != null
                        ? String.valueOf(vm.get("condition")) : "service_started"));
            }
            return out;
        }

        List<String> checkStartupOrder() {
            List<String> out = new ArrayList<>();
            for (String s : services.keySet()) {
                dependsOn(s).forEach((target, condition) -> {
                    if (!services.containsKey(target)) {
                        out.add(s + ": depends on unknown service " + target);
                    } else if (condition.equals("service_healthy") && healthcheck(target).isBlank()) {
                        out.add(s + ": waits for " + target + " to be healthy, but " + target + " has no health check");
                    } else if (condition.equals("service_completed_successfully")
                            && !"no".equals(String.valueOf(service(target).getOrDefault("restart", "no")))) {
                        out.add(s + ": waits for " + target + " to complete, but " + target + " restarts");
                    }
                });
            }
            for (String client : List.of(topicsService, connect, topology)) {
                if (!"service_healthy".equals(dependsOn(client).get(kafka))) {
                    out.add(client + ": must wait for " + kafka + " to be healthy (depends_on condition: service_healthy)");
                }
            }
            for (String client : List.of(connect, topology)) {
                if (!"service_completed_successfully".equals(dependsOn(client).get(topicsService))) {
                    out.add(client + ": must wait for " + topicsService + " (depends_on condition: service_completed_successfully)");
                }
            }
            if (!"service_healthy".equals(dependsOn(register).get(connect))) {
                out.add(register + ": must wait for " + connect + " to be healthy");
            }
            return out;
        }

        List<String> checkLogging() {
            List<String> out = new ArrayList<>();
            Pattern p = Pattern.compile("-Dlog4j2\\.configurationFile=(?:file:)?(/\\S+)");
            for (String s : List.of(connect, topology)) {
                Matcher m = p.matcher(script(s) + "\n" + String.join("\n", env(s).values()));
                if (!m.find()) {
                    out.add(s + ": does not use config/log4j2.properties (-Dlog4j2.configurationFile)");
                    continue;
                }
                Optional<String> host = hostPath(s, m.group(1));
                if (host.isEmpty() || !host.get().equals("config/log4j2.properties") || !repo.exists(host.get())) {
                    out.add(s + ": log4j2.configurationFile " + m.group(1) + " is " + host.orElse("not a mounted repository file")
                            + ", not config/log4j2.properties");
                }
            }
            return out;
        }

        // ---- XML helpers --------------------------------------------------------------------------------------

        static Element child(Element e, String name) {
            if (e == null) {
                return null;
            }
            for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element c && c.getTagName().equals(name)) {
                    return c;
                }
            }
            return null;
        }

        static List<Element> children(Element e, String name) {
            List<Element> out = new ArrayList<>();
            if (e == null) {
                return out;
            }
            NodeList nl = e.getChildNodes();
            for (int i = 0; i < nl.getLength(); i++) {
                if (nl.item(i) instanceof Element c && c.getTagName().equals(name)) {
                    out.add(c);
                }
            }
            return out;
        }

        /** Text of a slash-separated child path ("" if absent). */
        static String text(Element e, String path) {
            Element cur = e;
            for (String part : path.split("/")) {
                cur = child(cur, part);
            }
            return cur == null ? "" : cur.getTextContent().trim();
        }

        static Element plugin(Element pom, String artifactId) {
            for (Element p : children(child(child(pom, "build"), "plugins"), "plugin")) {
                if (artifactId.equals(text(p, "artifactId"))) {
                    return p;
                }
            }
            return null;
        }
    }
}
