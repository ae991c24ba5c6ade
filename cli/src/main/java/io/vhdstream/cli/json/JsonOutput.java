package io.vhdstream.cli.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;

/**
 * The one way a {@code vhdstream} command prints {@code --json}: every document is one JSON object on one
 * line, its first field {@code "version":1} ({@link #VERSION}), then the command's own fields. Use it for
 * every verb's {@code --json}, Kafka-facing ones included:
 * <pre>
 *   record DiskJson(String disk, long size) {}
 *   if (json) { JsonOutput.print(out(), new ListJson(disks)); }
 * </pre>
 * The document is a record (serialised by its components, in declaration order), a {@code Map} or an
 * {@link ObjectNode}. Conventions every verb keeps: paths are absolute strings, byte quantities are plain
 * numbers of bytes, a field that does not apply is left out (never {@code null}), findings are
 * {@link ProblemJson}, and a failure is {@code {"version":1,"error":{"code":...,"message":...}}}
 * ({@link #printError}), which {@code ErrorHandler} prints for every verb run with {@code --json}.
 * Several documents (one per file given) are printed one per line (JSON Lines).
 *
 * <p>Output is ASCII: every other character is escaped, so any byte a hostile image puts in a name (even
 * a lone UTF-16 surrogate) survives intact whatever the terminal or locale.
 *
 * <p>Only referenced from the {@code --json} branches: Jackson costs start-up time that plain-text runs must
 * not pay, so keep this class (and Jackson types) out of command fields and method signatures.
 */
public final class JsonOutput {
    /** The version of the documents' shape; raised only for changes a consumer must know about. */
    public static final int VERSION = 1;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private JsonOutput() {
    }

    /** Prints {@code document} as one line, {@code version} first. */
    public static void print(PrintWriter out, Object document) {
        out.println(render(document));
        out.flush();
    }

    /** {@code {"version":1,"error":{"code":...,"message":...}}} on one line. */
    public static void printError(PrintWriter out, String code, String message) {
        print(out, new ErrorDocument(new ErrorJson(code, message)));
    }

    /** The line {@link #print} writes, without its line break. */
    public static String render(Object document) {
        JsonNode body = MAPPER.valueToTree(document);
        if (!(body instanceof ObjectNode fields)) {
            throw new IllegalArgumentException("a JSON document is an object, not " + body.getNodeType());
        }
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", VERSION);
        fields.remove("version");
        root.setAll(fields);
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree always serialises", e);
        }
    }

    private record ErrorDocument(ErrorJson error) {
    }
}
