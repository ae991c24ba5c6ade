package io.vhdstream.topology.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.Locale;

/**
 * Checks one configuration value against its {@link ConfigDef} key and, when it is wrong, says so in a
 * {@link ConfigException} that names the key, the value (never a password's) and what is accepted: the type
 * and the validator ("a long, at least 100"). Kafka's own messages name the type only, or nothing at all
 * when a client constructor fails.
 */
public final class ConfigValues {
    private ConfigValues() {
    }

    /**
     * Parses {@code value} as {@code key} of {@code def} and runs its validator; returns the parsed value.
     * {@code source} says where the value came from (a file, {@code --set}) for the message; may be null.
     */
    public static Object check(ConfigDef def, String key, Object value, String source) {
        ConfigDef.ConfigKey k = def.configKeys().get(key);
        if (k == null) {
            return value;
        }
        Object parsed;
        try {
            parsed = ConfigDef.parseType(key, value, k.type);
            if (k.validator != null) {
                k.validator.ensureValid(key, parsed);
            }
        } catch (ConfigException e) {
            throw invalid(k, value, source);
        }
        return parsed;
    }

    /** The exception for a bad value of {@code key}: its name, the value given, and the accepted values. */
    public static ConfigException invalid(ConfigDef.ConfigKey key, Object value, String source) {
        String shown = key.type == ConfigDef.Type.PASSWORD ? "[hidden]" : "'" + value + "'";
        return new ConfigException(key.name + "=" + shown + (source != null ? " (" + source + ")" : "")
                + " is not valid: expected " + accepted(key));
    }

    /** "a long, at least 100", "one of PLAINTEXT, SSL, ...", "true or false". */
    public static String accepted(ConfigDef.ConfigKey key) {
        String type = switch (key.type) {
            case BOOLEAN -> "true or false";
            case INT, SHORT, LONG -> "a whole number (" + key.type.name().toLowerCase(Locale.ROOT) + ")";
            case DOUBLE -> "a number";
            case LIST -> "a comma-separated list";
            case CLASS -> "a class name";
            case PASSWORD, STRING -> "a string";
        };
        return key.validator == null ? type : type + ", " + key.validator;
    }
}
