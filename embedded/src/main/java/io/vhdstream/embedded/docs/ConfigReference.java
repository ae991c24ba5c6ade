package io.vhdstream.embedded.docs;

import io.vhdstream.connector.config.ConfigDocs;
import io.vhdstream.topology.config.TopologyConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeMap;

/**
 * docs/configuration.md, generated from the ConfigDefs and the Streams defaults the topology applies, so
 * the reference cannot drift from the code. {@code ConfigReferenceTest} fails when the file is stale; run
 * with {@code -Dvhdstream.docs.update=true} (or this main with the file as argument) to rewrite it.
 */
public final class ConfigReference {
    private ConfigReference() {
    }

    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration reference\n\n");
        sb.append("Generated from the code (`io.vhdstream.embedded.docs.ConfigReference`); do not edit by hand.\n")
                .append("Ready-to-use files are in `config/`.\n\n");
        sb.append("## Topology (`vhdstream topology --config FILE`)\n\n");
        sb.append("The file holds `vhdstream.*` keys (below) and any Kafka Streams setting (`bootstrap.servers`,\n")
                .append("`application.id`, `state.dir`, ...). Keys without the `vhdstream.` prefix go to Kafka Streams.\n\n");
        table(sb, TopologyConfig.CONFIG);
        sb.append("### Kafka Streams settings the topology applies unless the file sets them\n\n");
        sb.append("| key | value |\n| --- | --- |\n");
        Properties d = TopologyConfig.streamsDefaults();
        new TreeMap<>(d).forEach((k, v) -> sb.append("| `").append(k).append("` | `").append(v).append("` |\n"));
        sb.append("\n## Connectors\n\n");
        sb.append(ConfigDocs.markdown());
        return sb.toString();
    }

    private static void table(StringBuilder sb, ConfigDef def) {
        sb.append("| key | type | default | valid values | importance | description |\n");
        sb.append("| --- | --- | --- | --- | --- | --- |\n");
        List<ConfigDef.ConfigKey> keys = new ArrayList<>(def.configKeys().values());
        keys.sort((a, b) -> a.name.compareTo(b.name));
        for (ConfigDef.ConfigKey k : keys) {
            String dflt = !k.hasDefault() ? "(required)" : k.defaultValue == null ? "null"
                    : "`" + ConfigDef.convertToString(k.defaultValue, k.type) + "`";
            sb.append("| `").append(k.name).append("` | ").append(k.type.toString().toLowerCase(Locale.ROOT)).append(" | ")
                    .append(dflt).append(" | ").append(k.validator == null ? "" : cell(k.validator.toString())).append(" | ")
                    .append(k.importance.toString().toLowerCase(Locale.ROOT)).append(" | ").append(cell(k.documentation))
                    .append(" |\n");
        }
        sb.append('\n');
    }

    private static String cell(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }

    public static void main(String[] args) throws IOException {
        String md = markdown();
        if (args.length == 0) {
            System.out.print(md);
        } else {
            Files.writeString(Path.of(args[0]), md, StandardCharsets.UTF_8);
        }
    }
}
