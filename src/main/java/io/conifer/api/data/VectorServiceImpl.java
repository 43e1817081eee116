package io.conifer.api.data;

import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.proto.CreateNamespaceRequest;
import io.conifer.proto.DeleteNamespaceRequest;
import io.conifer.proto.DeleteRequest;
import io.conifer.proto.DeleteResponse;
import io.conifer.proto.DescribeIndexStatsRequest;
import io.conifer.proto.DescribeIndexStatsResponse;
import io.conifer.proto.DescribeNamespaceRequest;
import io.conifer.proto.FetchByMetadataRequest;
import io.conifer.proto.FetchByMetadataResponse;
import io.conifer.proto.FetchRequest;
import io.conifer.proto.FetchResponse;
import io.conifer.proto.ListItem;
import io.conifer.proto.ListNamespacesRequest;
import io.conifer.proto.ListNamespacesResponse;
import io.conifer.proto.ListRequest;
import io.conifer.proto.ListResponse;
import io.conifer.proto.NamespaceDescription;
import io.conifer.proto.NamespaceSummary;
import io.conifer.proto.Pagination;
import io.conifer.proto.QueryRequest;
import io.conifer.proto.QueryResponse;
import io.conifer.proto.ScoredVector;
import io.conifer.proto.SparseValues;
import io.conifer.proto.UpdateRequest;
import io.conifer.proto.UpdateResponse;
import io.conifer.proto.UpsertRequest;
import io.conifer.proto.UpsertResponse;
import io.conifer.proto.Vector;
import io.conifer.proto.VectorServiceGrpc;
import io.conifer.vectors.IndexStats;
import io.conifer.vectors.Limits;
import io.conifer.vectors.ListPage;
import io.conifer.vectors.QuerySpec;
import io.conifer.vectors.ScoredRecord;
import io.conifer.vectors.SparseVector;
import io.conifer.vectors.VectorRecord;
import io.conifer.vectors.VectorStore;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Pinecone's {@code VectorService} over one index's store. The same instance answers gRPC and, via
 * Armeria's HTTP/JSON transcoding of the proto's {@code google.api.http} rules, the REST data plane:
 * the two differ only in (de)serialisation. Errors are thrown as {@link ConiferException} and turned
 * into a gRPC status (and from it a REST error) in one place, {@link DataPlaneErrors}.
 */
final class VectorServiceImpl extends VectorServiceGrpc.VectorServiceImplBase {
    private static final String DEFAULT_NAMESPACE_NAME = "__default__";
    private static final String NS_TOKEN_PREFIX = "n1:";
    private final VectorStore store;

    VectorServiceImpl(VectorStore store) {
        this.store = store;
    }

    @Override
    public void upsert(UpsertRequest req, StreamObserver<UpsertResponse> out) {
        unary(out, () -> {
            if (req.getSerializedSize() > Limits.MAX_REQUEST_BYTES) {
                throw new ConiferException(ErrorCode.PAYLOAD_TOO_LARGE, "Request size " + req.getSerializedSize()
                        + " bytes exceeds the maximum request size of " + Limits.MAX_REQUEST_BYTES + " bytes (2 MB)");
            }
            List<VectorRecord> records = new ArrayList<>(req.getVectorsCount());
            for (Vector v : req.getVectorsList()) {
                records.add(new VectorRecord(v.getId(), floats(v.getValuesList()),
                        v.hasSparseValues() ? sparse(v.getSparseValues()) : null,
                        v.hasMetadata() ? Structs.toMap(v.getMetadata()) : null));
            }
            int n = store.upsert(req.getNamespace(), records);
            return UpsertResponse.newBuilder().setUpsertedCount(n).build();
        });
    }

    @Override
    public void query(QueryRequest req, StreamObserver<QueryResponse> out) {
        unary(out, () -> {
            if (req.getQueriesCount() > 0) {
                throw ConiferException.invalid("The deprecated 'queries' field is not supported; send one 'vector', "
                        + "'sparseVector' or 'id' per query");
            }
            QuerySpec spec = new QuerySpec(req.getNamespace(), req.getTopK(), floats(req.getVectorList()),
                    req.hasSparseVector() ? sparse(req.getSparseVector()) : null, req.getId(),
                    req.hasFilter() ? Structs.toMap(req.getFilter()) : null,
                    req.getIncludeValues(), req.getIncludeMetadata());
            QueryResponse.Builder b = QueryResponse.newBuilder().setNamespace(req.getNamespace());
            for (ScoredRecord r : store.query(spec)) {
                ScoredVector.Builder sv = ScoredVector.newBuilder().setId(r.id()).setScore(r.score());
                if (req.getIncludeValues()) {
                    if (r.values() != null) for (float f : r.values()) sv.addValues(f);
                    if (r.sparse() != null) sv.setSparseValues(sparseValues(r.sparse()));
                }
                if (req.getIncludeMetadata() && r.metadata() != null) sv.setMetadata(Structs.toStruct(r.metadata()));
                b.addMatches(sv);
            }
            return b.build();
        });
    }

    @Override
    public void fetch(FetchRequest req, StreamObserver<FetchResponse> out) {
        unary(out, () -> {
            FetchResponse.Builder b = FetchResponse.newBuilder().setNamespace(req.getNamespace());
            for (Map.Entry<String, VectorRecord> e : store.fetch(req.getNamespace(), req.getIdsList()).entrySet()) {
                b.putVectors(e.getKey(), vector(e.getValue()));
            }
            return b.build();
        });
    }

    @Override
    public void update(UpdateRequest req, StreamObserver<UpdateResponse> out) {
        unary(out, () -> {
            if (req.hasFilter()) {
                if (!req.getId().isEmpty() || req.getValuesCount() > 0 || req.hasSparseValues()) {
                    throw ConiferException.invalid("Update by filter sets metadata only: send filter and setMetadata, "
                            + "without id, values or sparseValues");
                }
                int matched = store.updateByFilter(req.getNamespace(), Structs.toMap(req.getFilter()),
                        req.hasSetMetadata() ? Structs.toMap(req.getSetMetadata()) : null, req.getDryRun());
                return UpdateResponse.newBuilder().setMatchedRecords(matched).build();
            }
            int matched = store.update(req.getNamespace(), req.getId(), floats(req.getValuesList()),
                    req.hasSparseValues() ? sparse(req.getSparseValues()) : null,
                    req.hasSetMetadata() ? Structs.toMap(req.getSetMetadata()) : null);
            return UpdateResponse.newBuilder().setMatchedRecords(matched).build();
        });
    }

    @Override
    public void delete(DeleteRequest req, StreamObserver<DeleteResponse> out) {
        unary(out, () -> {
            int modes = (req.getIdsCount() > 0 ? 1 : 0) + (req.getDeleteAll() ? 1 : 0) + (req.hasFilter() ? 1 : 0);
            if (modes != 1) {
                throw ConiferException.invalid("Delete needs exactly one of 'ids', 'deleteAll' or 'filter'");
            }
            if (req.getDeleteAll()) store.deleteAll(req.getNamespace());
            else if (req.hasFilter()) store.deleteByFilter(req.getNamespace(), Structs.toMap(req.getFilter()));
            else store.deleteIds(req.getNamespace(), req.getIdsList());
            return DeleteResponse.getDefaultInstance();
        });
    }

    @Override
    public void list(ListRequest req, StreamObserver<ListResponse> out) {
        unary(out, () -> {
            int limit = req.hasLimit() ? req.getLimit() : 100;
            ListPage page = store.list(req.getNamespace(), req.hasPrefix() ? req.getPrefix() : null, limit,
                    req.hasPaginationToken() ? req.getPaginationToken() : null);
            ListResponse.Builder b = ListResponse.newBuilder().setNamespace(req.getNamespace());
            for (String id : page.ids()) b.addVectors(ListItem.newBuilder().setId(id));
            if (page.next() != null) b.setPagination(Pagination.newBuilder().setNext(page.next()));
            return b.build();
        });
    }

    @Override
    public void describeIndexStats(DescribeIndexStatsRequest req, StreamObserver<DescribeIndexStatsResponse> out) {
        unary(out, () -> {
            IndexStats stats = store.stats(req.hasFilter() ? Structs.toMap(req.getFilter()) : null);
            DescribeIndexStatsResponse.Builder b = DescribeIndexStatsResponse.newBuilder()
                    .setTotalVectorCount((int) stats.total())
                    .setIndexFullness(0f)
                    .setMetric(store.space().metric().apiName())
                    .setVectorType(store.space().type().apiName());
            if (!store.space().isSparse()) b.setDimension(store.space().dimension());
            stats.namespaces().forEach((ns, n) -> b.putNamespaces(ns, NamespaceSummary.newBuilder()
                    .setVectorCount(n.intValue()).build()));
            return b.build();
        });
    }

    @Override
    public void listNamespaces(ListNamespacesRequest req, StreamObserver<ListNamespacesResponse> out) {
        unary(out, () -> {
            int limit = req.hasLimit() ? req.getLimit() : 100;
            if (limit < 1 || limit > 1000) throw ConiferException.invalid("limit is " + limit + "; it must be between 1 and 1000");
            String after = req.hasPaginationToken() && !req.getPaginationToken().isEmpty()
                    ? decodeNamespaceToken(req.getPaginationToken()) : null;
            String prefix = req.hasPrefix() ? req.getPrefix() : "";
            List<Map.Entry<String, Long>> matching = new ArrayList<>();
            for (Map.Entry<String, Long> e : store.namespaces().entrySet()) {
                String name = externalName(e.getKey());
                if (name.startsWith(prefix)) matching.add(Map.entry(name, e.getValue()));
            }
            matching.sort((a, b) -> VectorStore.bitwise(a.getKey(), b.getKey()));
            // total_count counts every namespace matching the prefix, whichever page this is.
            ListNamespacesResponse.Builder b = ListNamespacesResponse.newBuilder().setTotalCount(matching.size());
            List<Map.Entry<String, Long>> rest = after == null ? matching
                    : matching.stream().filter(e -> VectorStore.bitwise(e.getKey(), after) > 0).toList();
            for (int i = 0; i < Math.min(limit, rest.size()); i++) b.addNamespaces(description(rest.get(i).getKey(), rest.get(i).getValue()));
            if (rest.size() > limit) {
                b.setPagination(Pagination.newBuilder().setNext(encodeNamespaceToken(rest.get(limit - 1).getKey())));
            }
            return b.build();
        });
    }

    @Override
    public void describeNamespace(DescribeNamespaceRequest req, StreamObserver<NamespaceDescription> out) {
        unary(out, () -> {
            String ns = Limits.namespace(req.getNamespace());
            Long n = store.namespaces().get(ns);
            if (n == null) throw ConiferException.notFound("Namespace " + req.getNamespace() + " not found");
            return description(externalName(ns), n);
        });
    }

    @Override
    public void createNamespace(CreateNamespaceRequest req, StreamObserver<NamespaceDescription> out) {
        unary(out, () -> {
            if (req.hasSchema() && req.getSchema().getFieldsCount() > 0) {
                throw ConiferException.invalid("Per-namespace schemas are not supported; set the schema when creating the index");
            }
            if (!store.createNamespace(req.getName())) {
                throw new ConiferException(ErrorCode.ALREADY_EXISTS, "Namespace " + req.getName() + " already exists");
            }
            return description(externalName(Limits.namespace(req.getName())), 0);
        });
    }

    @Override
    public void deleteNamespace(DeleteNamespaceRequest req, StreamObserver<DeleteResponse> out) {
        unary(out, () -> {
            if (!store.namespaceExists(req.getNamespace())) {
                throw ConiferException.notFound("Namespace " + req.getNamespace() + " not found");
            }
            store.deleteNamespace(req.getNamespace());
            return DeleteResponse.getDefaultInstance();
        });
    }

    @Override
    public void fetchByMetadata(FetchByMetadataRequest req, StreamObserver<FetchByMetadataResponse> out) {
        unary(out, () -> {
            if (!req.hasFilter() || req.getFilter().getFieldsCount() == 0) {
                throw ConiferException.invalid("fetch_by_metadata needs a non-empty filter");
            }
            VectorStore.RecordPage page = store.fetchByMetadata(req.getNamespace(), Structs.toMap(req.getFilter()),
                    req.hasLimit() ? req.getLimit() : 100, req.hasPaginationToken() ? req.getPaginationToken() : null);
            FetchByMetadataResponse.Builder b = FetchByMetadataResponse.newBuilder().setNamespace(req.getNamespace());
            for (VectorRecord r : page.records()) b.putVectors(r.id(), vector(r));
            if (page.next() != null) b.setPagination(Pagination.newBuilder().setNext(page.next()));
            return b.build();
        });
    }

    private static NamespaceDescription description(String name, long records) {
        return NamespaceDescription.newBuilder().setName(name).setRecordCount((int) records).build();
    }

    private static String externalName(String ns) {
        return ns.isEmpty() ? DEFAULT_NAMESPACE_NAME : ns;
    }

    private static String encodeNamespaceToken(String last) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((NS_TOKEN_PREFIX + last).getBytes(StandardCharsets.UTF_8));
    }

    private static String decodeNamespaceToken(String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (s.startsWith(NS_TOKEN_PREFIX)) return s.substring(NS_TOKEN_PREFIX.length());
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw ConiferException.invalid("Invalid paginationToken: pass the pagination.next value of a previous response");
    }

    private static Vector vector(VectorRecord r) {
        Vector.Builder v = Vector.newBuilder().setId(r.id());
        if (r.values() != null) for (float f : r.values()) v.addValues(f);
        if (r.sparse() != null) v.setSparseValues(sparseValues(r.sparse()));
        if (r.metadata() != null) v.setMetadata(Structs.toStruct(r.metadata()));
        return v.build();
    }

    private static float[] floats(List<Float> list) {
        if (list.isEmpty()) return null;
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = list.get(i);
        return out;
    }

    private static SparseVector sparse(SparseValues s) {
        int[] idx = new int[s.getIndicesCount()];
        for (int i = 0; i < idx.length; i++) idx[i] = s.getIndices(i);
        float[] vals = new float[s.getValuesCount()];
        for (int i = 0; i < vals.length; i++) vals[i] = s.getValues(i);
        return new SparseVector(idx, vals);
    }

    private static SparseValues sparseValues(SparseVector s) {
        SparseValues.Builder b = SparseValues.newBuilder();
        for (int i : s.indices()) b.addIndices(i);
        for (float f : s.values()) b.addValues(f);
        return b.build();
    }

    private static <T> void unary(StreamObserver<T> out, Callable<T> body) {
        T result;
        try {
            result = body.call();
        } catch (Throwable t) {
            out.onError(t);
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }
}
