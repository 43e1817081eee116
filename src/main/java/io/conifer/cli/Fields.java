package io.conifer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;

/** A described object (an index, a backup, a job, a schedule) as {@code field: value} lines. */
final class Fields {
    private Fields() {}

    static void print(JsonNode object, PrintWriter out) {
        int width = 0;
        for (Map.Entry<String, JsonNode> f : object.properties()) width = Math.max(width, f.getKey().length());
        for (Map.Entry<String, JsonNode> f : object.properties()) {
            JsonNode v = f.getValue();
            out.println(f.getKey() + ":" + " ".repeat(width - f.getKey().length() + 1) + (v.isValueNode() ? v.asText() : v.toString()));
        }
    }

    /** A field's text, or null when absent or null (shown as "-" in a table). */
    static String text(JsonNode object, String field) {
        JsonNode v = object.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
