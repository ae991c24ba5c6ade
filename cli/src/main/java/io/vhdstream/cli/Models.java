package io.vhdstream.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ScopeType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the models of {@link CodedCommand}s: the same options, help and parsing the annotations give, without
 * reflection. Values land in {@link Value} holders the command reads when it runs.
 */
public final class Models {
    private Models() {
    }

    /**
     * A command called {@code name}, run by {@code command}, with {@code -h/--help} and {@code -V/--version}
     * worded as picocli's {@code mixinStandardHelpOptions} words them (that mixin is itself read by reflection).
     */
    public static CommandSpec command(Object command, String name, String... description) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name);
        spec.usageMessage().description(description);
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        return spec;
    }

    /** The help's exit-code section: {@code heading}, then picocli's "code:description" lines. */
    public static void exitCodes(CommandSpec spec, String heading, String... lines) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : lines) {
            int colon = l.indexOf(':');
            m.put(l.substring(0, colon), l.substring(colon + 1));
        }
        spec.usageMessage().exitCodeListHeading(heading).exitCodeList(m);
    }

    /** A boolean option, false unless given. */
    public static Value<Boolean> flag(CommandSpec spec, String name, String description) {
        return flag(spec, new String[] {name}, ScopeType.LOCAL, description);
    }

    /** A boolean option with several names ({@code -q}, {@code --quiet}), false unless given. */
    public static Value<Boolean> flag(CommandSpec spec, String[] names, String description) {
        return flag(spec, names, ScopeType.LOCAL, description);
    }

    /** A boolean option of the given scope ({@link ScopeType#INHERIT}: subcommands take it too). */
    public static Value<Boolean> flag(CommandSpec spec, String[] names, ScopeType scope, String description) {
        Value<Boolean> v = new Value<>(false);
        spec.addOption(OptionSpec.builder(names).type(boolean.class).scopeType(scope).description(description)
                .initialValue(false).getter(v).setter(v).build());
        return v;
    }

    /**
     * An option with one value, null unless given, made by {@code converter} (null: picocli's converter for
     * {@code type}).
     */
    public static <T> Value<T> option(CommandSpec spec, String name, String label, Class<T> type, ITypeConverter<?> converter,
            String description) {
        return option(spec, new String[] {name}, label, type, converter, null, description);
    }

    /**
     * {@link #option} with a default, given as text as on the command line ({@code ${DEFAULT-VALUE}} in the
     * description shows it).
     */
    public static <T> Value<T> option(CommandSpec spec, String name, String label, Class<T> type, ITypeConverter<?> converter,
            String defaultValue, String description) {
        return option(spec, new String[] {name}, label, type, converter, defaultValue, description);
    }

    /**
     * {@link #option} with a default (null: none) and several names ({@code -O}, {@code --output-format}); converter
     * may be null.
     */
    public static <T> Value<T> option(CommandSpec spec, String[] names, String label, Class<T> type, ITypeConverter<?> converter,
            String defaultValue, String description) {
        Value<T> v = new Value<>(null);
        OptionSpec.Builder b = OptionSpec.builder(names).paramLabel(label).type(type).defaultValue(defaultValue)
                .description(description).getter(v).setter(v);
        if (converter != null) {
            b.converters(converter);
        }
        spec.addOption(b.build());
        return v;
    }

    /** {@link #option} that must be given (picocli reports it missing, by its name and label). */
    public static <T> Value<T> requiredOption(CommandSpec spec, String name, String label, Class<T> type, ITypeConverter<?> converter,
            String description) {
        Value<T> v = new Value<>(null);
        spec.addOption(OptionSpec.builder(name).paramLabel(label).type(type).required(true).converters(converter)
                .description(description).getter(v).setter(v).build());
        return v;
    }

    /** The one positional parameter at {@code index}: required, one value. */
    public static <T> Value<T> positional(CommandSpec spec, String index, String label, Class<T> type, String description) {
        Value<T> v = new Value<>(null);
        spec.addPositional(PositionalParamSpec.builder().index(index).arity("1").required(true).paramLabel(label).type(type)
                .description(description).getter(v).setter(v).build());
        return v;
    }

    /** A repeatable option with one value each time, collected in a list (empty unless given). */
    public static <T> Value<List<T>> repeatable(CommandSpec spec, String name, String label, Class<T> type, String description) {
        Value<List<T>> v = new Value<>(new ArrayList<>());
        spec.addOption(OptionSpec.builder(name).paramLabel(label).type(List.class).auxiliaryTypes(type)
                .description(description).initialValue(v.value()).getter(v).setter(v).build());
        return v;
    }

    /** Positional parameters from {@code index} on, {@code arity} of them ("1..*": at least one, and required). */
    public static <T> Value<List<T>> positionals(CommandSpec spec, String index, String arity, String label, Class<T> type,
            String description) {
        Value<List<T>> v = new Value<>(null);
        // the annotations make a parameter required when its arity asks for at least one; the builder does not
        spec.addPositional(PositionalParamSpec.builder().index(index).arity(arity).required(!arity.startsWith("0"))
                .paramLabel(label).type(List.class).auxiliaryTypes(type).description(description).getter(v).setter(v).build());
        return v;
    }

    /** Where picocli puts one option's or parameter's value. */
    public static final class Value<T> implements IGetter, ISetter {
        private T value;

        Value(T initial) {
            this.value = initial;
        }

        public T value() {
            return value;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> V get() {
            return (V) value;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> V set(V v) {
            V old = (V) value;
            value = (T) v;
            return old;
        }
    }
}
