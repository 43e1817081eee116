package io.conifer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code conifer index list|describe}: a running server's indexes. */
@Command(name = "index", description = "List and describe the indexes of a running server.")
final class IndexCommand {
    @Command(name = "list", description = "List the indexes the API key's project holds.")
    int list(@Mixin ClientOptions client) {
        return client.run(c -> {
            JsonNode answer = c.get("indexes");
            if (client.json) {
                client.printJson(answer);
                return 0;
            }
            Table t = new Table("NAME", "STATE", "VECTORS", "HOST");
            for (JsonNode i : answer.path("indexes")) {
                t.row(Fields.text(i, "name"), Fields.text(i.path("status"), "state"), vectors(i), Fields.text(i, "host"));
            }
            t.print(client.out());
            return 0;
        });
    }

    @Command(name = "describe", description = "Describe one index.")
    int describe(@Mixin ClientOptions client, @Parameters(paramLabel = "NAME", description = "The index's name.") String name) {
        return client.describe("indexes/" + ControlPlaneClient.segment(name));
    }

    /** The 2026-07 schema's reserved vector fields in a few words: "dense 768 cosine", "sparse". */
    static String vectors(JsonNode index) {
        JsonNode fields = index.path("schema").path("fields");
        JsonNode dense = fields.path("_values");
        if (dense.isObject()) return "dense " + dense.path("dimension").asText() + " " + dense.path("metric").asText();
        return fields.has("_sparse_values") ? "sparse" : "documents";
    }
}
