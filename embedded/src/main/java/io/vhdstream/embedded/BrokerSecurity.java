package io.vhdstream.embedded;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * What a secured embedded broker needs: a self-signed TLS certificate for 127.0.0.1/localhost (made with the
 * JDK's {@code keytool}), one SCRAM-SHA-256 user, and the client properties file that connects with them
 * ({@code client.properties}, the file Kafka's tools and {@code vhdstream --command-config} take). All of it
 * lives in {@code <data dir>/security/} and is reused when the broker restarts on the same directory.
 */
public final class BrokerSecurity {
    public static final String MECHANISM = "SCRAM-SHA-256";
    public static final String USER = "vhdstream";

    private final Path dir;
    private final String storePassword;
    private final String userPassword;

    private BrokerSecurity(Path dir, String storePassword, String userPassword) {
        this.dir = dir;
        this.storePassword = storePassword;
        this.userPassword = userPassword;
    }

    /** Loads the material in {@code dir}, or makes it when {@code dir} has none. */
    static BrokerSecurity loadOrCreate(Path dir) throws IOException {
        Path secrets = dir.resolve("secrets.properties");
        if (Files.exists(secrets)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(secrets, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            return new BrokerSecurity(dir, p.getProperty("store.password"), p.getProperty("user.password"));
        }
        Files.createDirectories(dir);
        BrokerSecurity s = new BrokerSecurity(dir, randomSecret(), randomSecret());
        s.makeCertificate();
        Properties p = new Properties();
        p.setProperty("store.password", s.storePassword);
        p.setProperty("user.password", s.userPassword);
        writePrivate(secrets, w -> p.store(w, "embedded broker secrets"));
        writePrivate(s.clientProperties(), w -> {
            w.write("# Connects to the embedded broker's SASL_SSL listener (vhdstream --command-config, kafka-*.sh --command-config)\n");
            for (Map.Entry<String, String> e : s.clientSettings().entrySet()) {
                w.write(e.getKey() + "=" + e.getValue().replace("\\", "\\\\") + "\n");
            }
        });
        return s;
    }

    /** The client settings (without bootstrap.servers) that authenticate as {@link #USER} over TLS. */
    public Map<String, String> clientSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("security.protocol", "SASL_SSL");
        m.put("sasl.mechanism", MECHANISM);
        m.put("sasl.jaas.config", jaas(USER, userPassword));
        m.put("ssl.truststore.type", "PEM");
        m.put("ssl.truststore.location", certificate().toString());
        return m;
    }

    /** The client properties file: {@link #clientSettings()} as written at creation. */
    public Path clientProperties() {
        return dir.resolve("client.properties");
    }

    /** The broker's certificate (PEM): what clients trust. */
    public Path certificate() {
        return dir.resolve("broker-cert.pem");
    }

    /** The broker settings for a SASL_SSL listener named {@code listener}. */
    Map<String, String> brokerSettings(String listener) {
        String l = "listener.name." + listener.toLowerCase(java.util.Locale.ROOT) + ".";
        Map<String, String> m = new LinkedHashMap<>();
        m.put("sasl.enabled.mechanisms", MECHANISM);
        m.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        m.put(l + MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config", jaas(USER, userPassword));
        m.put("ssl.keystore.type", "PKCS12");
        m.put("ssl.keystore.location", dir.resolve("broker.p12").toString());
        m.put("ssl.keystore.password", storePassword);
        m.put("ssl.truststore.type", "PEM");
        m.put("ssl.truststore.location", certificate().toString());
        return m;
    }

    /** The formatter's argument that creates the user's SCRAM credentials with the cluster's metadata. */
    List<String> scramArguments() {
        return List.of(MECHANISM + "=[name=" + USER + ",password=" + userPassword + "]");
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    private void makeCertificate() throws IOException {
        Path store = dir.resolve("broker.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", storePassword, "-keypass", storePassword);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", store.toString(), "-storepass", storePassword,
                "-file", certificate().toString());
    }

    private static void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8).trim());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }

    private static String randomSecret() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private interface WriterBody {
        void write(Writer w) throws IOException;
    }

    /** Writes a file only its owner can read (it holds passwords). */
    private static void writePrivate(Path file, WriterBody body) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            body.write(w);
        }
    }
}
