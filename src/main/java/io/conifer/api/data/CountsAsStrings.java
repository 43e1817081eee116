package io.conifer.api.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import java.io.IOException;
import java.util.Map;

/**
 * API 2026-07's REST namespace responses carry {@code record_count} as a decimal string (a 64-bit
 * integer in JSON); older versions, served by the same transcoding, keep the number. Rewritten here,
 * after transcoding, for the REST calls of that version only.
 */
final class CountsAsStrings {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CountsAsStrings() {}

    static HttpResponse rewrite(HttpResponse response) {
        return HttpResponse.of(response.aggregate().thenApply(CountsAsStrings::rewrite));
    }

    private static HttpResponse rewrite(AggregatedHttpResponse agg) {
        MediaType type = agg.contentType();
        if (!agg.status().isSuccess() || type == null || !type.isJson()) return agg.toHttpResponse();
        JsonNode tree;
        try {
            tree = JSON.readTree(agg.contentUtf8());
        } catch (IOException e) {
            return agg.toHttpResponse();
        }
        quote(tree);
        return HttpResponse.of(agg.status(), type, tree.toString());
    }

    private static void quote(JsonNode node) {
        if (node instanceof ObjectNode o) {
            JsonNode count = o.get("record_count");
            if (count != null && count.isIntegralNumber()) o.put("record_count", count.asText());
            for (Map.Entry<String, JsonNode> e : o.properties()) quote(e.getValue());
        } else if (node.isArray()) {
            for (JsonNode child : node) quote(child);
        }
    }
}
