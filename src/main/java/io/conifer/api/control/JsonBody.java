package io.conifer.api.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.index.Deployment;
import io.conifer.index.IndexRules;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Typed reads of a JSON request body. A body that cannot be read as the request type (bad JSON, a
 * missing required field, a wrong type) is 422 as in Pinecone's spec; a well-typed value that breaks
 * a rule is 400, raised by the caller.
 */
final class JsonBody {
    static final ObjectMapper JSON = new ObjectMapper();

    private JsonBody() {}

    static ObjectNode parse(String body) {
        if (body == null || body.isBlank()) body = "{}";
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw unprocessable("Failed to deserialize the JSON body into the target type: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode o)) throw unprocessable("Failed to deserialize the JSON body into the target type: expected an object");
        return o;
    }

    static ConiferException unprocessable(String message) {
        return new ConiferException(ErrorCode.UNPROCESSABLE_ENTITY, message);
    }

    static boolean present(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        return n != null && !n.isNull();
    }

    static String requiredString(JsonNode parent, String field, String where) {
        if (!present(parent, field)) throw unprocessable("Failed to deserialize the JSON body into the target type: missing field `" + field + "`" + where);
        return string(parent, field, where);
    }

    static String string(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw unprocessable("Failed to deserialize the JSON body into the target type: `" + field + "`" + where + " must be a string");
        return n.asText();
    }

    static Integer integer(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw unprocessable("Failed to deserialize the JSON body into the target type: `" + field + "` must be an integer");
        }
        return n.intValue();
    }

    static ObjectNode object(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) return null;
        if (!(n instanceof ObjectNode o)) throw unprocessable("Failed to deserialize the JSON body into the target type: `" + field + "`" + where + " must be an object");
        return o;
    }

    /** A string-to-string map such as tags; a non-string value is 422. */
    static Map<String, String> stringMap(JsonNode parent, String field) {
        ObjectNode o = object(parent, field, "");
        if (o == null) return null;
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            if (!e.getValue().isTextual()) {
                throw unprocessable("Failed to deserialize the JSON body into the target type: `" + field + "." + e.getKey() + "` must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** Tags as configure and restore take them: validated, "" values kept (they unset a key of the tags merged onto). */
    static Map<String, String> tags(JsonNode parent, IndexRules.TagValues values) {
        Map<String, String> tags = stringMap(parent, "tags");
        IndexRules.tags(tags, values);
        return tags;
    }

    /** Tags of a new index: validated, "" values dropped (they mean "unset"), at most the tag limit. */
    static Map<String, String> createTags(JsonNode parent, IndexRules.TagValues values) {
        Map<String, String> tags = stringMap(parent, "tags");
        Map<String, String> kept = new LinkedHashMap<>();
        if (tags != null) {
            IndexRules.tags(tags, values);
            tags.forEach((k, v) -> {
                if (!v.isEmpty()) kept.put(k, v);
            });
            IndexRules.tagCount(kept);
        }
        return kept;
    }

    /**
     * Each cloud's region names (aws {@code us-east-1}, gcp {@code europe-west4}, azure {@code eastus2}).
     * Pinecone answers 404 for a region it does not serve; its list grows, so Conifer keeps none and holds a
     * region to its cloud's naming instead, which catches the usual slip (another cloud's name, a typo)
     * that would work here and fail on Pinecone.
     */
    private static final Map<String, Pattern> REGIONS = Map.of(
            "aws", Pattern.compile("[a-z]{2}(-gov)?-[a-z]+-[0-9]{1,2}"),
            "gcp", Pattern.compile("[a-z]+-[a-z]+[0-9]{1,2}"),
            "azure", Pattern.compile("[a-z]+[0-9]?"));

    /** A serverless location; one outside Pinecone's clouds, or not named as its cloud names regions, is 404 as Pinecone answers it. */
    static Deployment deployment(String cloud, String region) {
        Pattern regions = REGIONS.get(cloud);
        if (regions == null || region.length() > 64 || !regions.matcher(region).matches()) {
            throw ConiferException.notFound("Resource cloud: " + cloud + " region: " + region + " not found.");
        }
        return new Deployment(cloud, region);
    }

    static ConiferException unsupported(String what) {
        return new ConiferException(ErrorCode.INVALID_ARGUMENT, what + " is not supported by Conifer");
    }

    static Boolean deletionProtection(JsonNode parent) {
        String v = string(parent, "deletion_protection", "");
        if (v == null) return null;
        return switch (v) {
            case "enabled" -> true;
            case "disabled" -> false;
            default -> throw ConiferException.invalid("Invalid deletion_protection '" + v + "': use 'enabled' or 'disabled'");
        };
    }
}
