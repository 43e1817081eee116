package io.conifer.api.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Post;
import io.conifer.error.ConiferException;

/**
 * Collections belong to pod indexes, which Conifer does not serve: a project never has one. So the list
 * is empty (what Pinecone answers for a serverless-only project, and what an SDK's listCollections
 * expects), a create is a clear 400 rather than the router's bare 404, and a named collection is not found.
 */
public final class CollectionsApi {
    @Get("/collections")
    public HttpResponse list() {
        ObjectNode out = JsonBody.JSON.createObjectNode();
        out.putArray("collections");
        return IndexesApi.json(HttpStatus.OK, out);
    }

    @Post("/collections")
    public HttpResponse create() {
        throw ConiferException.invalid("Collections are not supported by Conifer: they hold pod-based indexes, and Conifer"
                + " serves serverless indexes only. Take a backup of the index instead (POST /indexes/{index_name}/backups).");
    }

    @Get("/collections/{collection_name}")
    public HttpResponse describe(@Param("collection_name") String name) {
        throw notFound(name);
    }

    @Delete("/collections/{collection_name}")
    public HttpResponse delete(@Param("collection_name") String name) {
        throw notFound(name);
    }

    private static ConiferException notFound(String name) {
        return ConiferException.notFound("Collection " + name + " not found. Conifer has no collections (they hold pod-based"
                + " indexes); backups take their place.");
    }
}
