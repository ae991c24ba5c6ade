package io.vhdstream.connector;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The plugin version the worker shows ({@code GET /connector-plugins}), from the build. */
public final class Version {
    private static final String VERSION = load();

    private Version() {
    }

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/io/vhdstream/connector/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }
}
