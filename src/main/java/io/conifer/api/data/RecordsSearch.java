package io.conifer.api.data;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.conifer.api.ApiVersion;
import io.conifer.api.ApiVersions;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.index.IndexDefinition;
import io.conifer.proto.QueryResponse;
import io.conifer.vectors.Limits;

/**
 * {@code POST /records/namespaces/{namespace}/search} (search_records) on an index of the vectors API:
 * a search by {@code vector} or {@code id}, which every version's spec serves on any such index. It is
 * the query in another shape: the request becomes a {@code QueryRequest} ({@link RecordsSearchRequest})
 * answered by the same {@link VectorServiceImpl#query} as {@code /query} and gRPC, so every query rule,
 * score, read unit and LSN header is the query's; the matches become hits ({@link RecordsSearchResponse}).
 * Admission (key, Host, version) is {@link RestRoutes}'s; errors take the shape the version's spec gives
 * this operation ({@link DataPlaneErrors#rest}).
 */
final class RecordsSearch implements HttpService {
    static final String PATH = "/records/namespaces/{namespace}/search";

    private final IndexDefinition index;
    private final DataPlaneAuth auth;
    private final PendingStoreService pending;

    RecordsSearch(IndexDefinition index, DataPlaneAuth auth, PendingStoreService pending) {
        this.index = index;
        this.auth = auth;
        this.pending = pending;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        // Refused by its headers: answered before its body is read (see RestRoutes).
        if (!auth.admits(req)) return answer(ctx, AggregatedHttpRequest.of(req.headers()));
        return HttpResponse.of(req.aggregate().thenApplyAsync(agg -> answer(ctx, agg), ctx.blockingTaskExecutor()));
    }

    private HttpResponse answer(ServiceRequestContext ctx, AggregatedHttpRequest req) {
        try {
            ApiVersion version = auth.admit(ctx.request().authority(), req.headers().get("api-key"),
                    req.headers().get(ApiVersions.HEADER));
            if (!index.schema().isVectorIndex()) {
                // Its spec serves search_records by vector or id on "any index served by the vectors API",
                // and a document index rejects the vector data operations.
                throw ConiferException.invalid("Index " + index.name() + " is a document index: search_records serves"
                        + " indexes of the vectors API; search its documents with POST /namespaces/{namespace}/documents/search");
            }
            if (req.content().length() > Limits.MAX_REQUEST_BYTES) {
                throw new ConiferException(ErrorCode.PAYLOAD_TOO_LARGE, "Request size " + req.content().length()
                        + " bytes exceeds the maximum request size of " + Limits.MAX_REQUEST_BYTES + " bytes (2 MB)");
            }
            RecordsSearchRequest search = RecordsSearchRequest.read(req.content().array(), ctx.pathParam("namespace"),
                    DataRules.of(version));
            VectorServiceImpl service = pending.service("Query");
            QueryResponse found = DataPlaneAuth.in(version,
                    () -> RestRoutes.call(VectorServiceImpl::query, service, search.query()));
            return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8,
                    HttpData.wrap(RecordsSearchResponse.json(found, search.fields())));
        } catch (Throwable t) {
            return DataPlaneErrors.rest(ctx, t);
        }
    }
}
