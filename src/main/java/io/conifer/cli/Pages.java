package io.conifer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Every page of a paginated list, following {@code pagination.next}, as one {@code {"data": [...]}}. */
final class Pages {
    private Pages() {}

    static ObjectNode all(ControlPlaneClient client, String path) throws ClientException {
        ObjectNode out = ControlPlaneClient.JSON.createObjectNode();
        ArrayNode data = out.putArray("data");
        String token = null;
        do {
            JsonNode page = client.get(token == null ? path
                    : path + "?paginationToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            page.path("data").forEach(data::add);
            token = Fields.text(page.path("pagination"), "next");
        } while (token != null);
        return out;
    }
}
