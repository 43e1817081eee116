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
import io.conifer.index.IndexDefinition;
import io.conifer.index.IndexManager;
import java.io.IOException;

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
        ControlDialect dialect = ControlPlaneAuth.dialect(ctx);
        IndexManager.NewIndex req = dialect.createIndex(JsonBody.parse(body));
        IndexDefinition def = indexes.create(ControlPlaneAuth.project(ctx), req);
        return json(dialect.indexCreated(), model(dialect, def));
    }

    @Post("/indexes/create-for-model")
    public HttpResponse createForModel() {
        throw JsonBody.unsupported("Creating an index with integrated embedding (create_for_model)");
    }

    @Get("/indexes")
    public HttpResponse list(ServiceRequestContext ctx) {
        ControlDialect dialect = ControlPlaneAuth.dialect(ctx);
        ObjectNode out = JsonBody.JSON.createObjectNode();
        ArrayNode list = out.putArray("indexes");
        for (IndexManager.OpenIndex i : indexes.list(ControlPlaneAuth.project(ctx))) list.add(model(dialect, i));
        return json(HttpStatus.OK, out);
    }

    @Get("/indexes/{name}")
    public HttpResponse describe(ServiceRequestContext ctx, @Param("name") String name) {
        ControlDialect dialect = ControlPlaneAuth.dialect(ctx);
        return json(HttpStatus.OK, model(dialect, indexes.require(ControlPlaneAuth.project(ctx), name)));
    }

    @Patch("/indexes/{name}")
    public HttpResponse configure(ServiceRequestContext ctx, @Param("name") String name, String body) throws IOException {
        ControlDialect dialect = ControlPlaneAuth.dialect(ctx);
        ObjectNode req = JsonBody.parse(body);
        indexes.require(ControlPlaneAuth.project(ctx), name);
        IndexDefinition def = indexes.configure(ControlPlaneAuth.project(ctx), name, dialect.configureIndex(req));
        return json(dialect.indexConfigured(), model(dialect, def));
    }

    @Delete("/indexes/{name}")
    public HttpResponse delete(ServiceRequestContext ctx, @Param("name") String name) throws IOException {
        indexes.delete(ControlPlaneAuth.project(ctx), name);
        return HttpResponse.of(ResponseHeaders.of(HttpStatus.ACCEPTED));
    }

    /**
     * A served index's model. While its storage refuses writes (a full disk) it is still {@code ready}
     * (queries, fetches and stats are served) but its state is {@code Disabled}, the spec's only state
     * for an index that cannot take every operation. A failed or disabled index says why in
     * {@code status.failure_reason}.
     */
    private ObjectNode model(ControlDialect dialect, IndexManager.OpenIndex index) {
        ObjectNode n = model(dialect, index.definition());
        ObjectNode status = (ObjectNode) n.get("status");
        String refused = index.store() == null ? null : index.store().writesRefused();
        if (refused != null) status.put("state", "Disabled");
        // Why, next to the state, as failed backups and restore jobs say it: the SDKs' status models keep
        // fields they do not know (the Java SDK's in additionalProperties), so the spec's shape still reads.
        String reason = index.problem() != null ? index.problem() : refused;
        if (reason != null) status.put("failure_reason", reason);
        return n;
    }

    private ObjectNode model(ControlDialect dialect, IndexDefinition def) {
        return dialect.index(def, host(def));
    }

    /**
     * An index's {@code host}, with the scheme its port speaks: Conifer's ports are plaintext, and the
     * SDKs that resolve an index by name (TypeScript 8 and 9, Python 8 and 9) keep a given scheme but
     * turn a scheme-less host into {@code https://}; the Java SDK strips the scheme for its gRPC
     * channel. An {@code --advertise-host} that carries a scheme (a TLS proxy in front) is kept as is.
     */
    private String host(IndexDefinition d) {
        return (advertiseHost.contains("://") ? advertiseHost : "http://" + advertiseHost) + ":" + d.port();
    }

    static HttpResponse json(HttpStatus status, ObjectNode body) {
        return HttpResponse.of(status, MediaType.JSON_UTF_8, body.toString());
    }
}
