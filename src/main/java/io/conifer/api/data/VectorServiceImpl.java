package io.conifer.api.data;

import com.google.protobuf.Internal;
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
import io.conifer.proto.IndexedFields;
import io.conifer.proto.ListItem;
import io.conifer.proto.ListNamespacesRequest;
import io.conifer.proto.ListNamespacesResponse;
import io.conifer.proto.ListRequest;
import io.conifer.proto.ListResponse;
import io.conifer.proto.MetadataFieldProperties;
import io.conifer.proto.MetadataSchema;
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
import io.conifer.vectors.NamespaceInfo;
import io.conifer.vectors.QuerySpec;
import io.conifer.vectors.Read;
import io.conifer.vectors.ScoredRecord;
import io.conifer.vectors.SparseVector;
import io.conifer.vectors.VectorRecord;
import io.conifer.vectors.VectorStore;
import io.conifer.vectors.Written;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Pinecone's {@code VectorService} over one index's store. The same instance answers gRPC and, through
 * {@link RestRoutes} (the proto's {@code google.api.http} rules), the REST data plane: the two differ
 * only in (de)serialisation. Errors are thrown as {@link ConiferException} and turned
 * into a gRPC status (and from it a REST error) in one place, {@link DataPlaneErrors}.
 */
final class VectorServiceImpl extends VectorServiceGrpc.VectorServiceImplBase {
    private static final String DEFAULT_NAMESPACE_NAME = "__default__";
    private static final String RECORDS_TOKEN = "c2";
    private static final String NAMESPACES_TOKEN = "n2";
    /** The most ids or namespaces one list page holds (the store's own bound for ids). */
    private static final int MAX_LIST_PAGE = 1000;
    /** Null on a document index, whose vector operations {@link PendingStoreService} refuses. */
    private final VectorStore store;
    private final IndexNamespaces namespaces;

    VectorServiceImpl(VectorStore store) {
        this(store, IndexNamespaces.of(store));
    }

    /** The stats and namespace operations of a document index. */
    VectorServiceImpl(IndexNamespaces namespaces) {
        this(null, namespaces);
    }

    private VectorServiceImpl(VectorStore store, IndexNamespaces namespaces) {
        this.store = store;
        this.namespaces = namespaces;
    }

    @Override
    public void upsert(UpsertRequest req, StreamObserver<UpsertResponse> out) {
        unary(out, () -> {
            if (req.getSerializedSize() > Limits.MAX_REQUEST_BYTES) {
                throw new ConiferException(ErrorCode.PAYLOAD_TOO_LARGE, "Request size " + req.getSerializedSize()
                        + " bytes exceeds the maximum request size of " + Limits.MAX_REQUEST_BYTES + " bytes (2 MB)");
            }
            DataRules rules = DataRules.current();
            List<VectorRecord> records = new ArrayList<>(req.getVectorsCount());
            for (Vector v : req.getVectorsList()) {
                rules.ids(List.of(v.getId()));
                float[] values = floats(v.getValuesList());
                rules.dense(values, "record '" + v.getId() + "'");
                Map<String, Object> metadata = v.hasMetadata() ? Structs.toMap(v.getMetadata()) : null;
                rules.metadataKeys(metadata, "record '" + v.getId() + "'");
                records.add(new VectorRecord(v.getId(), values, v.hasSparseValues() ? sparse(v.getSparseValues()) : null, metadata));
            }
            Written w = store.upsert(req.getNamespace(), records);
            Lsn.written(w.requestLsn());
            return UpsertResponse.newBuilder().setUpsertedCount(w.count()).build();
        });
    }

    @Override
    public void query(QueryRequest req, StreamObserver<QueryResponse> out) {
        unary(out, () -> {
            if (req.getQueriesCount() > 0) {
                throw ConiferException.invalid("The deprecated 'queries' field is not supported; send one 'vector', "
                        + "'sparseVector' or 'id' per query");
            }
            DataRules rules = DataRules.current();
            if (!req.getId().isEmpty()) {
                rules.ids(List.of(req.getId()));
                rules.queryById(req.hasSparseVector());
            }
            dedicatedTuning(req);
            float[] vector = floats(req.getVectorList());
            rules.dense(vector, "the query");
            QuerySpec spec = new QuerySpec(req.getNamespace(), req.getTopK(), vector,
                    req.hasSparseVector() ? sparse(req.getSparseVector()) : null, req.getId(),
                    req.hasFilter() ? Structs.toMap(req.getFilter()) : null,
                    req.getIncludeValues(), req.getIncludeMetadata());
            QueryResponse.Builder b = QueryResponse.newBuilder().setNamespace(req.getNamespace()).setUsage(ReadUnits.query());
            Read<List<ScoredRecord>> found = store.query(spec);
            Lsn.read(found.maxIndexedLsn());
            for (ScoredRecord r : found.result()) {
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
            DataRules.current().ids(req.getIdsList());
            Read<Map<String, VectorRecord>> found = store.fetch(req.getNamespace(), req.getIdsList());
            Lsn.read(found.maxIndexedLsn());
            FetchResponse.Builder b = FetchResponse.newBuilder().setNamespace(req.getNamespace())
                    .setUsage(ReadUnits.fetch(found.result().size()));
            for (Map.Entry<String, VectorRecord> e : found.result().entrySet()) {
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
                Map<String, Object> set = req.hasSetMetadata() ? Structs.toMap(req.getSetMetadata()) : null;
                DataRules.current().metadataKeys(set, "setMetadata");
                Written w = store.updateByFilter(req.getNamespace(), Structs.toMap(req.getFilter()), set, req.getDryRun());
                Lsn.written(w.requestLsn());
                return UpdateResponse.newBuilder().setMatchedRecords(w.count()).build();
            }
            DataRules rules = DataRules.current();
            rules.ids(List.of(req.getId()));
            float[] values = floats(req.getValuesList());
            rules.dense(values, "record '" + req.getId() + "'");
            Map<String, Object> set = req.hasSetMetadata() ? Structs.toMap(req.getSetMetadata()) : null;
            rules.metadataKeys(set, "setMetadata");
            Written w = store.update(req.getNamespace(), req.getId(), values,
                    req.hasSparseValues() ? sparse(req.getSparseValues()) : null, set);
            Lsn.written(w.requestLsn());
            return UpdateResponse.newBuilder().setMatchedRecords(w.count()).build();
        });
    }

    @Override
    public void delete(DeleteRequest req, StreamObserver<DeleteResponse> out) {
        unary(out, () -> {
            int modes = (req.getIdsCount() > 0 ? 1 : 0) + (req.getDeleteAll() ? 1 : 0) + (req.hasFilter() ? 1 : 0);
            if (modes != 1) {
                throw ConiferException.invalid("Delete needs exactly one of 'ids', 'deleteAll' or 'filter'");
            }
            if (req.getIdsCount() > 0) DataRules.current().ids(req.getIdsList());
            Lsn.written(req.getDeleteAll() ? store.deleteAll(req.getNamespace())
                    : req.hasFilter() ? store.deleteByFilter(req.getNamespace(), Structs.toMap(req.getFilter()))
                    : store.deleteIds(req.getNamespace(), req.getIdsList()));
            return DeleteResponse.getDefaultInstance();
        });
    }

    @Override
    public void list(ListRequest req, StreamObserver<ListResponse> out) {
        unary(out, () -> {
            if (req.hasLimit()) DataRules.current().pageLimit(Integer.toUnsignedLong(req.getLimit()));
            if (req.hasPrefix()) DataRules.current().asciiName(req.getPrefix(), "The id prefix");
            PageToken token = PageToken.decode(RECORDS_TOKEN, req.getPaginationToken());
            int limit = PageToken.limit(req.hasLimit() ? req.getLimit() : null, token,
                    DataRules.current().maxPageLimit(MAX_LIST_PAGE));
            Read<ListPage> read = store.list(req.getNamespace(), req.hasPrefix() ? req.getPrefix() : null, limit,
                    PageToken.after(token));
            Lsn.read(read.maxIndexedLsn());
            ListPage page = read.result();
            ListResponse.Builder b = ListResponse.newBuilder().setNamespace(req.getNamespace()).setUsage(ReadUnits.list());
            for (String id : page.ids()) b.addVectors(ListItem.newBuilder().setId(id));
            if (page.more()) next(b::setPagination, RECORDS_TOKEN, page.ids().get(page.ids().size() - 1), limit);
            return b.build();
        });
    }

    @Override
    public void describeIndexStats(DescribeIndexStatsRequest req, StreamObserver<DescribeIndexStatsResponse> out) {
        unary(out, () -> {
            DataRules.current().statsFilter(req.hasFilter() && req.getFilter().getFieldsCount() > 0);
            Read<IndexStats> read = namespaces.stats(req.hasFilter() ? Structs.toMap(req.getFilter()) : null);
            Lsn.read(read.maxIndexedLsn());
            IndexStats stats = read.result();
            DescribeIndexStatsResponse.Builder b = DescribeIndexStatsResponse.newBuilder()
                    .setTotalVectorCount((int) stats.total())
                    .setIndexFullness(0f)
                    .setMetric(namespaces.space().metric().apiName())
                    .setVectorType(namespaces.space().type().apiName());
            if (!namespaces.space().isSparse()) b.setDimension(namespaces.space().dimension());
            DataRules.current().stats(b);
            stats.namespaces().forEach((ns, n) -> b.putNamespaces(ns, NamespaceSummary.newBuilder()
                    .setVectorCount(n.intValue()).build()));
            return b.build();
        });
    }

    @Override
    public void listNamespaces(ListNamespacesRequest req, StreamObserver<ListNamespacesResponse> out) {
        unary(out, () -> {
            if (req.hasLimit()) DataRules.current().pageLimit(Integer.toUnsignedLong(req.getLimit()));
            if (req.hasPrefix()) DataRules.current().asciiName(req.getPrefix(), "The namespace prefix");
            PageToken token = PageToken.decode(NAMESPACES_TOKEN, req.getPaginationToken());
            int limit = PageToken.limit(req.hasLimit() ? req.getLimit() : null, token, DataRules.current().maxPageLimit(MAX_LIST_PAGE));
            if (limit < 1 || limit > MAX_LIST_PAGE) {
                throw ConiferException.invalid("limit is " + limit + "; it must be between 1 and " + MAX_LIST_PAGE);
            }
            String after = PageToken.after(token);
            String prefix = req.hasPrefix() ? req.getPrefix() : "";
            Read<SortedMap<String, NamespaceInfo>> read = namespaces.namespaces();
            Lsn.read(read.maxIndexedLsn());
            List<Map.Entry<String, NamespaceInfo>> matching = new ArrayList<>();
            for (Map.Entry<String, NamespaceInfo> e : read.result().entrySet()) {
                String name = externalName(e.getKey());
                if (name.startsWith(prefix)) matching.add(Map.entry(name, e.getValue()));
            }
            matching.sort((a, b) -> VectorStore.bitwise(a.getKey(), b.getKey()));
            // total_count counts every namespace matching the prefix, whichever page this is.
            ListNamespacesResponse.Builder b = ListNamespacesResponse.newBuilder().setTotalCount(matching.size());
            List<Map.Entry<String, NamespaceInfo>> rest = after == null ? matching
                    : matching.stream().filter(e -> VectorStore.bitwise(e.getKey(), after) > 0).toList();
            for (int i = 0; i < Math.min(limit, rest.size()); i++) b.addNamespaces(description(rest.get(i).getKey(), rest.get(i).getValue()));
            if (rest.size() > limit) next(b::setPagination, NAMESPACES_TOKEN, rest.get(limit - 1).getKey(), limit);
            return b.build();
        });
    }

    @Override
    public void describeNamespace(DescribeNamespaceRequest req, StreamObserver<NamespaceDescription> out) {
        unary(out, () -> {
            DataRules.current().asciiName(req.getNamespace(), "Namespace");
            String ns = Limits.namespace(req.getNamespace());
            Read<SortedMap<String, NamespaceInfo>> read = namespaces.namespaces();
            Lsn.read(read.maxIndexedLsn());
            NamespaceInfo info = read.result().get(ns);
            // The default namespace always exists (the 2026-07 spec says so): empty, it holds 0 records.
            if (info == null && ns.isEmpty()) info = new NamespaceInfo(0, null);
            if (info == null) throw ConiferException.notFound("Namespace " + req.getNamespace() + " not found");
            return description(externalName(ns), info);
        });
    }

    @Override
    public void createNamespace(CreateNamespaceRequest req, StreamObserver<NamespaceDescription> out) {
        unary(out, () -> {
            DataRules.current().asciiName(req.getName(), "Namespace");
            List<String> filterable = req.hasSchema() ? filterableFields(req.getSchema()) : null;
            Written w = namespaces.create(req.getName(), filterable);
            if (w.count() == 0) {
                throw new ConiferException(ErrorCode.ALREADY_EXISTS, "Namespace " + req.getName() + " already exists");
            }
            Lsn.written(w.requestLsn());
            return description(externalName(Limits.namespace(req.getName())), new NamespaceInfo(0, filterable));
        });
    }

    @Override
    public void deleteNamespace(DeleteNamespaceRequest req, StreamObserver<DeleteResponse> out) {
        unary(out, () -> {
            DataRules.current().asciiName(req.getNamespace(), "Namespace");
            if (!namespaces.exists(req.getNamespace())) {
                throw ConiferException.notFound("Namespace " + req.getNamespace() + " not found");
            }
            Lsn.written(namespaces.delete(req.getNamespace()));
            return DeleteResponse.getDefaultInstance();
        });
    }

    @Override
    public void fetchByMetadata(FetchByMetadataRequest req, StreamObserver<FetchByMetadataResponse> out) {
        unary(out, () -> {
            PageToken token = PageToken.decode(RECORDS_TOKEN, req.getPaginationToken());
            int limit = PageToken.limit(req.hasLimit() ? req.getLimit() : null, token, VectorStore.MAX_FETCH_PAGE);
            // The filter is optional in every version's spec (the Java SDK leaves a null one out): none pages
            // through every record of the namespace, as an empty filter does elsewhere.
            Read<VectorStore.RecordPage> read = store.fetchByMetadata(req.getNamespace(),
                    req.hasFilter() ? Structs.toMap(req.getFilter()) : null, limit, PageToken.after(token));
            Lsn.read(read.maxIndexedLsn());
            VectorStore.RecordPage page = read.result();
            FetchByMetadataResponse.Builder b = FetchByMetadataResponse.newBuilder().setNamespace(req.getNamespace())
                    .setUsage(ReadUnits.fetch(page.records().size()));
            for (VectorRecord r : page.records()) b.putVectors(r.id(), vector(r));
            if (page.more()) next(b::setPagination, RECORDS_TOKEN, page.records().get(page.records().size() - 1).id(), limit);
            return b.build();
        });
    }

    private NamespaceDescription description(String name, NamespaceInfo info) {
        NamespaceDescription.Builder b = DataRules.current().namespace(
                NamespaceDescription.newBuilder().setName(name).setRecordCount((int) info.records()), info.records(), namespaces.space());
        if (info.filterableFields() != null) {
            MetadataSchema.Builder schema = MetadataSchema.newBuilder();
            for (String f : info.filterableFields()) {
                schema.putFields(f, MetadataFieldProperties.newBuilder().setFilterable(true).build());
            }
            b.setSchema(schema);
        }
        indexedFields(info).ifPresent(b::setIndexedFields);
        return b.build();
    }

    /**
     * The metadata fields a namespace's records are indexed by, when a schema (the namespace's, the
     * index's, or both) narrows them; absent when every field is indexed, which no list could say.
     */
    private Optional<IndexedFields> indexedFields(NamespaceInfo info) {
        Set<String> byIndex = namespaces.space().filterableFields();
        if (info.filterableFields() == null && byIndex == null) return Optional.empty();
        Set<String> fields = new TreeSet<>(info.filterableFields() != null ? info.filterableFields() : byIndex);
        if (byIndex != null) fields.retainAll(byIndex);
        return Optional.of(IndexedFields.newBuilder().addAllFields(fields).build());
    }

    /**
     * A create_namespace schema's fields; Pinecone supports only {@code filterable: true}. A schema
     * declaring none is no schema, as for an index's schema: every field is indexed.
     */
    private static List<String> filterableFields(MetadataSchema schema) {
        Limits.schemaFieldCount(schema.getFieldsCount());
        List<String> fields = new ArrayList<>(new TreeSet<>(schema.getFieldsMap().keySet()));
        for (String f : fields) {
            Limits.schemaField(f);
            Limits.schemaFilterable(f, schema.getFieldsMap().get(f).getFilterable());
        }
        return fields.isEmpty() ? null : fields;
    }

    /**
     * scanFactor and maxCandidates tune Pinecone's dedicated IVF indexes, which Conifer's HNSW search has no
     * use for: values in every version's range are accepted and left unused, and anything else is the
     * 400 Pinecone gives, so a request that works here also works there.
     */
    private static void dedicatedTuning(QueryRequest req) {
        if (req.hasScanFactor() && !(req.getScanFactor() >= 0.5f && req.getScanFactor() <= 4f)) {
            throw ConiferException.invalid("scanFactor is " + req.getScanFactor() + "; it must be between 0.5 and 4");
        }
        if (req.hasMaxCandidates()) {
            long max = Integer.toUnsignedLong(req.getMaxCandidates());
            long least = Math.max(1, Integer.toUnsignedLong(req.getTopK()));
            if (max < least || max > 100_000) {
                throw ConiferException.invalid("maxCandidates is " + max + "; it must be between topK (" + least + ") and 100000");
            }
        }
    }

    /** Sets the pagination of a page after which more remain. */
    private static void next(Consumer<Pagination> setPagination, String kind, String last, int limit) {
        setPagination.accept(Pagination.newBuilder().setNext(PageToken.encode(kind, last, limit)).build());
    }

    private static String externalName(String ns) {
        return ns.isEmpty() ? DEFAULT_NAMESPACE_NAME : ns;
    }

    private static Vector vector(VectorRecord r) {
        Vector.Builder v = Vector.newBuilder().setId(r.id());
        if (r.values() != null) for (float f : r.values()) v.addValues(f);
        if (r.sparse() != null) v.setSparseValues(sparseValues(r.sparse()));
        if (r.metadata() != null) v.setMetadata(Structs.toStruct(r.metadata()));
        return v.build();
    }

    /** A message's repeated floats, which protobuf keeps as a {@code FloatList}: read unboxed, not through {@code get}. */
    private static float[] floats(List<Float> list) {
        if (list.isEmpty()) return null;
        Internal.FloatList floats = (Internal.FloatList) list;
        float[] out = new float[floats.size()];
        for (int i = 0; i < out.length; i++) out[i] = floats.getFloat(i);
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
