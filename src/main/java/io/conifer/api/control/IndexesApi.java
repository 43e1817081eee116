package io.conifer.api.control;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Patch;
import com.linecorp.armeria.server.annotation.Post;
import io.conifer.error.ConiferException;
import io.conifer.index.IndexDefinition;
import io.conifer.index.IndexManager;
import io.conifer.index.IndexRules;
import io.conifer.index.ReadCapacity;
import java.io.IOException;
import java.util.Map;

/** The index operations of the control plane: create, list, describe, configure, delete. */
@Blocking
public final class IndexesApi {
    private final IndexManager indexes;
    private final String advertiseHost;

    public IndexesApi(IndexManager indexes, String advertiseHost) {
        this.indexes = indexes;
        this.advertiseHost = advertiseHost;
    }

    @Post("/indexes")
    public HttpResponse create(ServiceRequestContext ctx, String body) throws IOException {
        IndexManager.NewIndex req = IndexJson.createRequest(JsonBody.parse(body));
        IndexDefinition def = indexes.create(ControlPlaneAuth.project(ctx), req);
        return json(HttpStatus.CREATED, IndexJson.model(def, advertiseHost));
    }

    @Post("/indexes/create-for-model")
    public HttpResponse createForModel() {
        throw IndexJson.unsupported("Creating an index with integrated embedding (create_for_model)");
    }

    @Get("/indexes")
    public HttpResponse list(ServiceRequestContext ctx) {
        ObjectNode out = JsonBody.JSON.createObjectNode();
        ArrayNode list = out.putArray("indexes");
        for (IndexManager.OpenIndex i : indexes.list(ControlPlaneAuth.project(ctx))) {
            list.add(IndexJson.model(i, advertiseHost));
        }
        return json(HttpStatus.OK, out);
    }

    @Get("/indexes/{name}")
    public HttpResponse describe(ServiceRequestContext ctx, @Param("name") String name) {
        return json(HttpStatus.OK, IndexJson.model(indexes.require(ControlPlaneAuth.project(ctx), name), advertiseHost));
    }

    @Patch("/indexes/{name}")
    public HttpResponse configure(ServiceRequestContext ctx, @Param("name") String name, String body) throws IOException {
        ObjectNode req = JsonBody.parse(body);
        indexes.require(ControlPlaneAuth.project(ctx), name);
        if (JsonBody.present(req, "embed")) throw IndexJson.unsupported("Integrated embedding ('embed')");
        ObjectNode spec = JsonBody.object(req, "spec", "");
        ReadCapacity readCapacity = null;
        if (spec != null) {
            if (JsonBody.present(spec, "pod") || JsonBody.present(spec, "byoc")) {
                throw ConiferException.invalid("This is a serverless index: only spec.serverless can be configured");
            }
            ObjectNode serverless = JsonBody.object(spec, "serverless", " in spec");
            if (serverless != null) readCapacity = IndexJson.readCapacity(JsonBody.object(serverless, "read_capacity", " in spec.serverless"));
        }
        Boolean protection = JsonBody.deletionProtection(req);
        Map<String, String> tags = JsonBody.stringMap(req, "tags");
        IndexRules.tags(tags);
        IndexDefinition def = indexes.configure(ControlPlaneAuth.project(ctx), name, protection, tags, readCapacity);
        return json(HttpStatus.ACCEPTED, IndexJson.model(def, advertiseHost));
    }

    @Delete("/indexes/{name}")
    public HttpResponse delete(ServiceRequestContext ctx, @Param("name") String name) throws IOException {
        indexes.delete(ControlPlaneAuth.project(ctx), name);
        return HttpResponse.of(ResponseHeaders.of(HttpStatus.ACCEPTED));
    }

    static HttpResponse json(HttpStatus status, ObjectNode body) {
        return HttpResponse.of(status, MediaType.JSON_UTF_8, body.toString());
    }
}
