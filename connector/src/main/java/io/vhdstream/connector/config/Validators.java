package io.vhdstream.connector.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/** Validators the stock {@link ConfigDef} set lacks. Syntax only: file-system checks live in the connectors' validate. */
public final class Validators {
    private Validators() {
    }

    /** An int in [min, max] that is a multiple of {@code multiple}. */
    public static ConfigDef.Validator multipleInRange(int min, int max, int multiple) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (!(value instanceof Integer v)) {
                    throw new ConfigException(name, value, "must be an integer");
                }
                if (v < min || v > max) {
                    throw new ConfigException(name, value, "must be between " + min + " and " + max);
                }
                if (v % multiple != 0) {
                    throw new ConfigException(name, value, "must be a multiple of " + multiple);
                }
            }

            @Override
            public String toString() {
                return "[" + min + ",...," + max + "], a multiple of " + multiple;
            }
        };
    }

    /** A non-empty list of path strings, none blank, each a syntactically valid path. */
    public static ConfigDef.Validator nonEmptyPathList() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (!(value instanceof List<?> list) || list.isEmpty()) {
                    throw new ConfigException(name, value, "must list at least one directory");
                }
                for (Object o : list) {
                    path(name, o);
                }
            }

            @Override
            public String toString() {
                return "a non-empty list of directories";
            }
        };
    }

    /** A non-blank, syntactically valid path. */
    public static ConfigDef.Validator pathString() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                path(name, value);
            }

            @Override
            public String toString() {
                return "a directory path";
            }
        };
    }

    private static void path(String name, Object o) {
        if (!(o instanceof String s) || s.isBlank()) {
            throw new ConfigException(name, o, "must not be blank");
        }
        try {
            Path.of(s.trim());
        } catch (InvalidPathException e) {
            throw new ConfigException(name, o, "is not a valid path: " + e.getMessage());
        }
    }
}
