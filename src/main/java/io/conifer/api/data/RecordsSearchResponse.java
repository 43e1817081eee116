package io.conifer.api.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Value;
import io.conifer.proto.QueryResponse;
import io.conifer.proto.ScoredVector;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * A query's answer as search_records' {@code SearchRecordsResponse}:
 * {@code {"result":{"hits":[{"_id","_score","fields"}]},"usage":{"read_units"}}}. {@code fields} is the
 * record's metadata (never its vector), narrowed to the requested names it has.
 */
final class RecordsSearchResponse {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RecordsSearchResponse() {}

    /** {@code fields}: the names to show, or null for every one. */
    static byte[] json(QueryResponse found, Set<String> fields) throws IOException {
        ObjectNode out = NODES.objectNode();
        ArrayNode hits = out.putObject("result").putArray("hits");
        for (ScoredVector match : found.getMatchesList()) {
            ObjectNode hit = hits.addObject();
            hit.put("_id", match.getId());
            // A float, written as the query's JSON writes its score.
            hit.put("_score", match.getScore());
            ObjectNode shown = hit.putObject("fields");
            Map<String, Value> metadata = match.getMetadata().getFieldsMap();
            if (fields == null) {
                metadata.forEach((name, value) -> shown.set(name, node(value)));
            } else {
                for (String name : fields) {
                    Value value = metadata.get(name);
                    if (value != null) shown.set(name, node(value));
                }
            }
        }
        out.putObject("usage").put("read_units", found.getUsage().getReadUnits());
        return JSON.writeValueAsBytes(out);
    }

    /** A metadata value; a whole number as an integer, as the query's REST answer writes metadata ({@link RestNumbers}). */
    private static JsonNode node(Value v) {
        return switch (v.getKindCase()) {
            case NUMBER_VALUE -> RestNumbers.isExactWhole(v.getNumberValue()) ? NODES.numberNode((long) v.getNumberValue())
                    : NODES.numberNode(v.getNumberValue());
            case STRING_VALUE -> NODES.textNode(v.getStringValue());
            case BOOL_VALUE -> NODES.booleanNode(v.getBoolValue());
            case LIST_VALUE -> {
                ArrayNode list = NODES.arrayNode();
                for (Value item : v.getListValue().getValuesList()) list.add(node(item));
                yield list;
            }
            case STRUCT_VALUE -> {
                ObjectNode object = NODES.objectNode();
                v.getStructValue().getFieldsMap().forEach((name, value) -> object.set(name, node(value)));
                yield object;
            }
            case NULL_VALUE, KIND_NOT_SET -> NODES.nullNode();
        };
    }
}
