package io.vhdstream.connector.config;

import io.vhdstream.connector.sink.VhdReplicaSinkConnector;
import io.vhdstream.connector.sink.VhdReplicaSinkConnectorConfig;
import io.vhdstream.connector.source.VhdSourceConnector;
import io.vhdstream.connector.source.VhdSourceConnectorConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The configuration reference, generated from the connectors' {@link ConfigDef}s as Markdown. The README
 * holds it between {@link #BEGIN} and {@link #END}; {@code ConfigDocsTest} fails when it is stale, and
 * {@code main} rewrites it: {@code java -cp ... io.vhdstream.connector.config.ConfigDocs connector/README-connector.md}.
 */
public final class ConfigDocs {
    public static final String BEGIN = "<!-- BEGIN generated config reference (ConfigDocs) -->";
    public static final String END = "<!-- END generated config reference -->";

    private ConfigDocs() {
    }

    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        section(sb, "Source: `" + VhdSourceConnector.class.getName() + "`", VhdSourceConnectorConfig.CONFIG_DEF);
        section(sb, "Sink: `" + VhdReplicaSinkConnector.class.getName() + "`", VhdReplicaSinkConnectorConfig.CONFIG_DEF);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, ConfigDef def) {
        sb.append("#### ").append(title).append("\n\n");
        sb.append("| key | type | default | valid values | importance | description |\n");
        sb.append("| --- | --- | --- | --- | --- | --- |\n");
        List<ConfigDef.ConfigKey> keys = new ArrayList<>(def.configKeys().values());
        List<String> groups = def.groups();
        keys.sort(Comparator.<ConfigDef.ConfigKey>comparingInt(k -> k.group == null ? Integer.MAX_VALUE : groups.indexOf(k.group))
                .thenComparingInt(k -> k.orderInGroup).thenComparing(k -> k.name));
        for (ConfigDef.ConfigKey k : keys) {
            String dflt = !k.hasDefault() ? "(required)" : k.defaultValue == null ? "null"
                    : "`" + ConfigDef.convertToString(k.defaultValue, k.type) + "`";
            sb.append("| `").append(k.name).append("` | ").append(k.type.toString().toLowerCase(java.util.Locale.ROOT))
                    .append(" | ").append(dflt).append(" | ").append(k.validator == null ? "" : cell(k.validator.toString()))
                    .append(" | ").append(k.importance.toString().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                    .append(cell(k.documentation)).append(" |\n");
        }
        sb.append('\n');
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    /** The README text with the generated section replaced. */
    public static String updated(String readme) {
        int b = readme.indexOf(BEGIN);
        int e = readme.indexOf(END);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("the README has no " + BEGIN + " ... " + END + " section");
        }
        return readme.substring(0, b + BEGIN.length()) + "\n\n" + markdown() + readme.substring(e);
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.out.print(markdown());
            return;
        }
        Path readme = Path.of(args[0]);
        Files.writeString(readme, updated(Files.readString(readme, StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }
}
