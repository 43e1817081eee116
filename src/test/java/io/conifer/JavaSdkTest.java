package io.conifer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pinecone.clients.AsyncIndex;
import io.pinecone.clients.Index;
import io.pinecone.clients.Pinecone;
import io.pinecone.commons.IndexInterface;
import io.pinecone.configs.PineconeConfig;
import io.pinecone.configs.PineconeConnection;
import io.pinecone.configs.ResponseMetadata;
import io.pinecone.exceptions.PineconeAlreadyExistsException;
import io.pinecone.exceptions.PineconeAuthorizationException;
import io.pinecone.exceptions.PineconeForbiddenException;
import io.pinecone.exceptions.PineconeNotFoundException;
import io.pinecone.proto.DescribeIndexStatsResponse;
import io.pinecone.proto.FetchResponse;
import io.pinecone.proto.ListItem;
import io.pinecone.proto.ListNamespacesResponse;
import io.pinecone.proto.ListResponse;
import io.pinecone.proto.NamespaceDescription;
import io.pinecone.proto.UpdateResponse;
import io.pinecone.proto.UpsertResponse;
import io.pinecone.proto.Vector;
import io.pinecone.unsigned_indices_model.QueryResponseWithUnsignedIndices;
import io.pinecone.unsigned_indices_model.ScoredVectorWithUnsignedIndices;
import io.pinecone.unsigned_indices_model.SparseValuesWithUnsignedIndices;
import io.pinecone.unsigned_indices_model.VectorWithUnsignedIndices;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openapitools.db_control.client.model.BackupModelSchema;
import org.openapitools.db_control.client.model.BackupModelSchemaFieldsValue;
import org.openapitools.db_control.client.model.IndexList;
import org.openapitools.db_control.client.model.IndexModel;
import org.openapitools.db_control.client.model.ReadCapacity;
import org.openapitools.db_control.client.model.ReadCapacityOnDemandSpec;
import org.openapitools.db_control.client.model.ReadCapacityOnDemandSpecResponse;
import org.openapitools.db_control.client.model.ReadCapacityDedicatedConfig;
import org.openapitools.db_control.client.model.ReadCapacityDedicatedSpec;
import org.openapitools.db_control.client.model.ReadCapacityDedicatedSpecResponse;
import org.openapitools.db_control.client.model.ScalingConfigManual;
import org.openapitools.db_control.client.model.ServerlessSpecResponse;

/**
 * The official Pinecone Java SDK ({@code io.pinecone:pinecone-client:6.1.0}) against an in-process
 * Conifer: control plane over REST (the SDK's OkHttp client), data plane over gRPC (h2c) on each
 * index's own port, with cross-checks against the REST data plane on the same port.
 *
 * <p>One server serves the whole class; every test works on its own index(es), because the SDK keeps
 * a JVM-wide cache of gRPC connections keyed by index name.
 */
class JavaSdkTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final List<AutoCloseable> OPENED = new CopyOnWriteArrayList<>();

    @TempDir
    static Path dataDir;

    static TestServer server;
    static Pinecone pinecone;
    static Http rest;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestServer.start(dataDir);
        pinecone = new Pinecone.Builder(TestServer.KEY).withHost(server.url()).withTlsEnabled(false).build();
        rest = new Http(server.url(), TestServer.KEY);
    }

    @AfterAll
    static void stopServer() throws Exception {
        for (AutoCloseable c : OPENED) c.close();
        if (server != null) server.close();
    }

    // ------------------------------------------------------------------ control plane

    @Test
    void createDescribeAndListIndexesThroughTheControlPlane() {
        String dense = name("dense");
        String dot = name("dot");
        String sparse = name("sparse");

        IndexModel created = pinecone.createServerlessIndex(dense, "cosine", 4, "aws", "us-east-1", "disabled",
                Map.of("team", "search"));
        assertDenseModel(created, dense, 4, "cosine");
        assertEquals(Map.of("team", "search"), created.getTags());
        assertEquals("disabled", created.getDeletionProtection());

        IndexModel described = pinecone.describeIndex(dense);
        assertDenseModel(described, dense, 4, "cosine");
        assertEquals(created.getHost(), described.getHost());
        assertEquals(Map.of("team", "search"), described.getTags());

        IndexModel dotModel = pinecone.createServerlessIndex(dot, "dotproduct", 8, "aws", "us-east-1", "disabled", null);
        assertDenseModel(dotModel, dot, 8, "dotproduct");
        assertFalse(dotModel.getHost().equals(created.getHost()), "every index has its own data-plane port");

        IndexModel sparseModel = pinecone.createSparseServelessIndex(sparse, "aws", "us-east-1", "disabled", null, "sparse");
        assertEquals(sparse, sparseModel.getName());
        assertEquals("sparse", sparseModel.getVectorType());
        assertEquals("dotproduct", sparseModel.getMetric());
        assertNull(sparseModel.getDimension(), "a sparse index has no dimension");
        assertReadyServerless(sparseModel);

        IndexList list = pinecone.listIndexes();
        Map<String, IndexModel> byName = new LinkedHashMap<>();
        for (IndexModel m : list.getIndexes()) byName.put(m.getName(), m);
        assertTrue(byName.keySet().containsAll(List.of(dense, dot, sparse)), "listed: " + byName.keySet());
        assertDenseModel(byName.get(dense), dense, 4, "cosine");
        assertDenseModel(byName.get(dot), dot, 8, "dotproduct");
        assertEquals("sparse", byName.get(sparse).getVectorType());
        assertEquals(sparseModel.getHost(), byName.get(sparse).getHost());
    }

    @Test
    void dedicatedReadCapacityIsAcceptedStoredAndEchoed() {
        String n = name("drn");
        ReadCapacity dedicated = new ReadCapacity(new ReadCapacityDedicatedSpec().mode("Dedicated").dedicated(
                new ReadCapacityDedicatedConfig().nodeType("t1").scaling("Manual").manual(new ScalingConfigManual().replicas(2).shards(1))));
        pinecone.createServerlessIndex(n, "cosine", 2, "aws", "us-east-1", null, null, dedicated, null);
        ReadCapacityDedicatedSpecResponse rc = pinecone.describeIndex(n).getSpec().getIndexModelServerless().getServerless()
                .getReadCapacity().getReadCapacityDedicatedSpecResponse();
        assertEquals("Dedicated", rc.getMode());
        assertEquals("t1", rc.getDedicated().getNodeType());
        assertEquals(2, rc.getDedicated().getManual().getReplicas());
        assertEquals("Ready", rc.getStatus().getState());
        assertEquals(1, rc.getStatus().getCurrentReplicas(), "one node serves it");
        assertTrue(rc.getStatus().getErrorMessage().contains("one node"), rc.getStatus().getErrorMessage());

        IndexModel configured = pinecone.configureServerlessIndex(n, null, null, null, "Dedicated", "b1", 1, 1);
        ReadCapacityDedicatedSpecResponse after = configured.getSpec().getIndexModelServerless().getServerless()
                .getReadCapacity().getReadCapacityDedicatedSpecResponse();
        assertEquals("b1", after.getDedicated().getNodeType());
        assertEquals(1, after.getDedicated().getManual().getReplicas());
        assertNull(after.getStatus().getErrorMessage(), "one replica and one shard is what is served");
    }

    @Test
    void createWithReadCapacityAndMetadataSchema() {
        String n = name("schema");
        BackupModelSchema schema = new BackupModelSchema()
                .fields(Map.of("genre", new BackupModelSchemaFieldsValue().filterable(true)));
        ReadCapacity onDemand = new ReadCapacity(new ReadCapacityOnDemandSpec().mode("OnDemand"));
        IndexModel m = pinecone.createServerlessIndex(n, "cosine", 2, "gcp", "europe-west4", null, null, onDemand, schema);
        assertEquals("disabled", m.getDeletionProtection(), "deletion protection defaults to disabled");
        ServerlessSpecResponse serverless = m.getSpec().getIndexModelServerless().getServerless();
        assertEquals("gcp", serverless.getCloud());
        assertEquals("europe-west4", serverless.getRegion());
        assertEquals("OnDemand", serverless.getReadCapacity().getReadCapacityOnDemandSpecResponse().getMode());
        assertEquals(Set.of("genre"), serverless.getSchema().getFields().keySet());
        assertEquals(Boolean.TRUE, serverless.getSchema().getFields().get("genre").getFilterable());
        assertEquals(serverless.getSchema(),
                pinecone.describeIndex(n).getSpec().getIndexModelServerless().getServerless().getSchema());

        // Configuring the (only supported) read capacity mode keeps everything else.
        IndexModel configured = pinecone.configureServerlessIndex(n, null, null, null, "OnDemand", null, null, null);
        assertEquals("OnDemand",
                configured.getSpec().getIndexModelServerless().getServerless().getReadCapacity()
                        .getReadCapacityOnDemandSpecResponse().getMode());
        assertEquals(2, configured.getDimension());

        // Only declared fields are filterable; all metadata is still stored.
        Index index = open(n);
        index.upsert("a", List.of(1f, 2f), null, null, struct("genre", "jazz", "mood", "calm"), "");
        assertEquals(List.of("a"), index.queryByVector(3, List.of(1f, 1f), "", struct("genre", "jazz"))
                .getMatchesList().stream().map(ScoredVectorWithUnsignedIndices::getId).toList());
        assertEquals(struct("genre", "jazz", "mood", "calm"), index.fetch(List.of("a")).getVectorsOrThrow("a").getMetadata());
        assertStatus(Status.Code.INVALID_ARGUMENT,
                () -> index.queryByVector(3, List.of(1f, 1f), "", struct("mood", "calm")), "filterable");
    }

    @Test
    void configureDeletionProtectionAndTagsThenDelete() {
        String n = name("cfg");
        pinecone.createServerlessIndex(n, "euclidean", 3, "aws", "us-east-1", "disabled", Map.of("a", "1"));

        IndexModel configured = pinecone.configureServerlessIndex(n, "enabled", Map.of("b", "2"), null);
        assertEquals("enabled", configured.getDeletionProtection());
        assertEquals(Map.of("a", "1", "b", "2"), configured.getTags(), "tags are merged on configure");
        assertEquals("euclidean", configured.getMetric());

        PineconeForbiddenException forbidden = assertThrows(PineconeForbiddenException.class, () -> pinecone.deleteIndex(n));
        assertTrue(forbidden.getMessage().contains("FORBIDDEN") || forbidden.getMessage().toLowerCase().contains("protect"),
                forbidden.getMessage());
        assertEquals(n, pinecone.describeIndex(n).getName(), "a protected index survives a delete attempt");

        assertEquals("disabled", pinecone.configureServerlessIndex(n, "disabled", null, null).getDeletionProtection());
        pinecone.deleteIndex(n);
        assertThrows(PineconeNotFoundException.class, () -> pinecone.describeIndex(n));
        assertTrue(pinecone.listIndexes().getIndexes().stream().noneMatch(m -> m.getName().equals(n)));
    }

    @Test
    void controlPlaneErrorsMapToTheSdksExceptions() {
        String n = name("dup");
        pinecone.createServerlessIndex(n, "cosine", 4, "aws", "us-east-1", "disabled", null);
        assertThrows(PineconeAlreadyExistsException.class,
                () -> pinecone.createServerlessIndex(n, "cosine", 4, "aws", "us-east-1", "disabled", null));

        PineconeNotFoundException notFound = assertThrows(PineconeNotFoundException.class,
                () -> pinecone.describeIndex("no-such-index"));
        assertTrue(notFound.getMessage().contains("NOT_FOUND"), notFound.getMessage());
        assertThrows(PineconeNotFoundException.class, () -> pinecone.deleteIndex("no-such-index"));
        assertThrows(PineconeNotFoundException.class, () -> pinecone.getIndexConnection("no-such-index"));

        Pinecone wrongKey = new Pinecone.Builder("wrong-key").withHost(server.url()).withTlsEnabled(false).build();
        assertThrows(PineconeAuthorizationException.class, () -> wrongKey.describeIndex(n));
        assertThrows(PineconeAuthorizationException.class, wrongKey::listIndexes);
    }

    // ------------------------------------------------------------------ dense data plane

    @Test
    void upsertQueryAndFetchDenseVectorsWithMetadata() {
        String n = denseIndex("query", 4, "cosine");
        Index index = open(n);
        Map<String, List<Float>> vectors = sampleVectors();
        Map<String, Struct> metadata = sampleMetadata();

        List<VectorWithUnsignedIndices> batch = new ArrayList<>();
        for (String id : vectors.keySet()) {
            batch.add(IndexInterface.buildUpsertVectorWithUnsignedIndices(id, vectors.get(id), null, null, metadata.get(id)));
        }
        UpsertResponse upserted = index.upsert(batch, "movies");
        assertEquals(vectors.size(), upserted.getUpsertedCount());

        // Query by vector: ids ordered by cosine similarity, scores as computed here.
        List<Float> q = List.of(0.9f, 0.1f, 0.2f, 0.05f);
        QueryResponseWithUnsignedIndices r = index.queryByVector(3, q, "movies", true, true);
        assertEquals("movies", r.getNamespace());
        List<Map.Entry<String, Double>> expected = ranked(vectors, q, JavaSdkTest::cosine);
        assertMatches(expected.subList(0, 3), r.getMatchesList(), 1e-5);
        for (ScoredVectorWithUnsignedIndices m : r.getMatchesList()) {
            assertEquals(vectors.get(m.getId()), m.getValuesList(), "values of " + m.getId());
            assertEquals(metadata.get(m.getId()), m.getMetadata(), "metadata of " + m.getId());
        }

        // Without includeValues / includeMetadata the matches carry neither.
        QueryResponseWithUnsignedIndices bare = index.queryByVector(5, q, "movies");
        assertMatches(expected, bare.getMatchesList(), 1e-5);
        for (ScoredVectorWithUnsignedIndices m : bare.getMatchesList()) {
            assertTrue(m.getValuesList().isEmpty(), "no values asked for");
            assertEquals(Struct.getDefaultInstance(), m.getMetadata(), "no metadata asked for");
        }

        // Query by id: the record itself comes first with similarity 1, then by similarity to it.
        QueryResponseWithUnsignedIndices byId = index.queryByVectorId(5, "m2", "movies", false, false);
        List<Map.Entry<String, Double>> expectedById = ranked(vectors, vectors.get("m2"), JavaSdkTest::cosine);
        assertEquals("m2", byId.getMatches(0).getId());
        assertEquals(1.0, byId.getMatches(0).getScore(), 1e-5);
        assertMatches(expectedById, byId.getMatchesList(), 1e-5);

        // Query with a metadata filter (a Struct): only dramas, still ordered by score.
        Struct drama = struct("genre", struct("$eq", "drama"));
        QueryResponseWithUnsignedIndices filtered = index.queryByVector(10, q, "movies", drama, false, true);
        List<Map.Entry<String, Double>> expectedDramas = expected.stream()
                .filter(e -> metadata.get(e.getKey()).getFieldsOrThrow("genre").getStringValue().equals("drama")).toList();
        assertEquals(List.of("m1", "m3", "m5").size(), expectedDramas.size());
        assertMatches(expectedDramas, filtered.getMatchesList(), 1e-5);

        // Numbers, $and, $in, $gte and the shorthand {"field": value}.
        Struct compound = struct("$and", List.of(
                struct("year", struct("$gte", 2000)),
                struct("genre", struct("$in", List.of("drama", "comedy"))),
                struct("classic", false)));
        QueryResponseWithUnsignedIndices c = index.queryByVector(10, q, "movies", compound, false, false);
        Set<String> expectedIds = Set.of("m3", "m4"); // m1 is 1994, m2 is a thriller, m5 is a classic
        assertEquals(expectedIds, ids(c.getMatchesList()));
        assertMatches(expected.stream().filter(e -> expectedIds.contains(e.getKey())).toList(), c.getMatchesList(), 1e-5);

        // Fetch: exact values and metadata; unknown ids are simply absent.
        FetchResponse fetched = index.fetch(List.of("m1", "m4", "nope"), "movies");
        assertEquals("movies", fetched.getNamespace());
        assertEquals(Set.of("m1", "m4"), fetched.getVectorsMap().keySet());
        for (String id : List.of("m1", "m4")) {
            Vector v = fetched.getVectorsOrThrow(id);
            assertEquals(id, v.getId());
            assertEquals(vectors.get(id), v.getValuesList());
            assertEquals(metadata.get(id), v.getMetadata());
            assertFalse(v.hasSparseValues());
        }

        // The default namespace is separate.
        assertTrue(index.fetch(List.of("m1")).getVectorsMap().isEmpty());
        assertTrue(index.queryByVector(3, q).getMatchesList().isEmpty());
    }

    @Test
    void dotproductScoresAndHybridQueries() {
        String n = denseIndex("dotp", 8, "dotproduct");
        Index index = open(n);
        Map<String, List<Float>> vectors = new LinkedHashMap<>();
        vectors.put("a", List.of(1f, 0f, 0f, 0f, 0f, 0f, 0f, 2f));
        vectors.put("b", List.of(0.5f, 0.5f, 0.5f, 0.5f, 0f, 0f, 0f, 0f));
        vectors.put("c", List.of(-1f, -1f, 0f, 0f, 0f, 0f, 0f, 0f));
        vectors.put("d", List.of(3f, 0.25f, 0f, 0f, 1f, 0f, 0f, -1f));
        for (Map.Entry<String, List<Float>> e : vectors.entrySet()) {
            assertEquals(1, index.upsert(e.getKey(), e.getValue(), "").getUpsertedCount());
        }
        // Records with sparse values too (allowed on a dotproduct dense index).
        index.upsert("h", List.of(0.1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f), List.of(7L, 42L), List.of(5f, 1f), null, "");

        List<Float> q = List.of(1f, 0.5f, 0f, 0f, 0.5f, 0f, 0f, 0.25f);
        Map<String, List<Float>> all = new LinkedHashMap<>(vectors);
        all.put("h", List.of(0.1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f));
        List<Map.Entry<String, Double>> expected = ranked(all, q, JavaSdkTest::dot);
        QueryResponseWithUnsignedIndices r = index.queryByVector(5, q, "", false, false);
        assertMatches(expected, r.getMatchesList(), 1e-4);
        assertTrue(r.getMatchesList().get(4).getScore() < 0, "dot products can be negative: " + r.getMatchesList());

        // Hybrid: dense dot product plus sparse dot product; 'h' jumps to the top.
        QueryResponseWithUnsignedIndices hybrid = index.query(2, q, List.of(7L), List.of(2f), null, "", null, true, false);
        assertEquals("h", hybrid.getMatches(0).getId());
        assertEquals(dot(all.get("h"), q) + 5f * 2f, hybrid.getMatches(0).getScore(), 1e-4);
        SparseValuesWithUnsignedIndices sv = hybrid.getMatches(0).getSparseValuesWithUnsignedIndices();
        assertEquals(List.of(7L, 42L), sv.getIndicesWithUnsigned32IntList());
        assertEquals(List.of(5f, 1f), sv.getValuesList());
        assertEquals("d", hybrid.getMatches(1).getId());
    }

    @Test
    void updateValuesAndMergeMetadata() {
        String n = denseIndex("upd", 4, "cosine");
        Index index = open(n);
        index.upsert("u1", List.of(1f, 2f, 3f, 4f), null, null,
                struct("genre", "drama", "year", 1999, "tags", List.of("a", "b")), "ns");
        index.upsert("u2", List.of(4f, 3f, 2f, 1f), "ns");

        UpdateResponse values = index.update("u1", List.of(0.5f, 0.25f, 0.125f, 1f), "ns");
        assertEquals(1, values.getMatchedRecords());
        Vector v = index.fetch(List.of("u1"), "ns").getVectorsOrThrow("u1");
        assertEquals(List.of(0.5f, 0.25f, 0.125f, 1f), v.getValuesList());
        assertEquals(struct("genre", "drama", "year", 1999, "tags", List.of("a", "b")), v.getMetadata(),
                "updating values keeps the metadata");

        UpdateResponse meta = index.update("u1", null, struct("year", 2001, "rating", 4.5, "seen", true), "ns", null, null);
        assertEquals(1, meta.getMatchedRecords());
        v = index.fetch(List.of("u1"), "ns").getVectorsOrThrow("u1");
        assertEquals(List.of(0.5f, 0.25f, 0.125f, 1f), v.getValuesList(), "setMetadata keeps the values");
        assertEquals(struct("genre", "drama", "year", 2001, "tags", List.of("a", "b"), "rating", 4.5, "seen", true),
                v.getMetadata(), "setMetadata merges into the existing metadata");

        // A record without metadata gets some.
        index.update("u2", null, struct("genre", "comedy"), "ns", null, null);
        assertEquals(struct("genre", "comedy"), index.fetch(List.of("u2"), "ns").getVectorsOrThrow("u2").getMetadata());
        assertEquals(List.of(4f, 3f, 2f, 1f), index.fetch(List.of("u2"), "ns").getVectorsOrThrow("u2").getValuesList());

        // Updating a missing id creates nothing.
        UpdateResponse missing = index.update("ghost", List.of(1f, 1f, 1f, 1f), "ns");
        assertEquals(0, missing.getMatchedRecords());
        assertTrue(index.fetch(List.of("ghost"), "ns").getVectorsMap().isEmpty());

        // The updated values are what queries see.
        QueryResponseWithUnsignedIndices r = index.queryByVector(1, List.of(0.5f, 0.25f, 0.125f, 1f), "ns");
        assertEquals("u1", r.getMatches(0).getId());
        assertEquals(1.0, r.getMatches(0).getScore(), 1e-5);
    }

    @Test
    void deleteByIdsByFilterAndAllInANamespace() {
        String n = denseIndex("del", 4, "cosine");
        Index index = open(n);
        List<VectorWithUnsignedIndices> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(IndexInterface.buildUpsertVectorWithUnsignedIndices("d" + i, List.of(1f + i, 1f, 0.5f, 0.25f), null, null,
                    struct("parity", i % 2 == 0 ? "even" : "odd", "i", i)));
        }
        index.upsert(batch, "a");
        index.upsert(batch, "b");
        assertEquals(Map.of("a", 10, "b", 10), namespaceCounts(index.describeIndexStats()));

        index.deleteByIds(List.of("d0", "d1", "d9", "never-existed"), "a");
        assertEquals(Set.of("d2", "d3"), index.fetch(List.of("d0", "d1", "d2", "d3", "d9"), "a").getVectorsMap().keySet());
        assertEquals(7, namespaceCounts(index.describeIndexStats()).get("a"));
        assertEquals(10, namespaceCounts(index.describeIndexStats()).get("b"), "other namespaces are untouched");

        index.deleteByFilter(struct("parity", struct("$eq", "odd")), "a");
        assertEquals(List.of("d2", "d4", "d6", "d8"), listAll(index, "a", null, 100));
        index.deleteByFilter(struct("i", struct("$lt", 5)), "a");
        assertEquals(List.of("d6", "d8"), listAll(index, "a", null, 100));
        assertEquals(10, namespaceCounts(index.describeIndexStats()).get("b"));

        index.deleteAll("b");
        Map<String, Integer> counts = namespaceCounts(index.describeIndexStats());
        assertEquals(Map.of("a", 2), counts, "deleteAll empties only its namespace");
        assertTrue(index.fetch(List.of("d6"), "b").getVectorsMap().isEmpty());
        assertEquals(Set.of("d6", "d8"), index.fetch(List.of("d6", "d8"), "a").getVectorsMap().keySet());
    }

    @Test
    void listWithPrefixLimitAndPagination() {
        String n = denseIndex("list", 4, "cosine");
        Index index = open(n);
        List<VectorWithUnsignedIndices> batch = new ArrayList<>();
        List<String> docIds = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String id = String.format("doc#%02d", i);
            docIds.add(id);
            batch.add(IndexInterface.buildUpsertVectorWithUnsignedIndices(id, List.of(1f, 0f, 0f, i + 1f), null, null, null));
        }
        for (String id : List.of("other-1", "other-2", "other-3")) {
            batch.add(IndexInterface.buildUpsertVectorWithUnsignedIndices(id, List.of(0f, 1f, 0f, 0f), null, null, null));
        }
        index.upsert(batch, "pages");

        ListResponse first = index.list("pages", "doc#", 10);
        assertEquals("pages", first.getNamespace());
        assertEquals(docIds.subList(0, 10), first.getVectorsList().stream().map(ListItem::getId).toList());
        assertTrue(first.hasPagination());
        assertFalse(first.getPagination().getNext().isEmpty());

        ListResponse second = index.list("pages", "doc#", first.getPagination().getNext(), 10);
        assertEquals(docIds.subList(10, 20), second.getVectorsList().stream().map(ListItem::getId).toList());
        ListResponse third = index.list("pages", "doc#", second.getPagination().getNext(), 10);
        assertEquals(docIds.subList(20, 25), third.getVectorsList().stream().map(ListItem::getId).toList());
        assertFalse(third.hasPagination(), "the last page has no pagination");

        assertEquals(docIds, listAll(index, "pages", "doc#", 7));
        assertEquals(List.of("other-1", "other-2", "other-3"),
                index.list("pages", "other").getVectorsList().stream().map(ListItem::getId).toList());
        List<String> everything = new ArrayList<>(docIds);
        everything.addAll(List.of("other-1", "other-2", "other-3"));
        assertEquals(everything, index.list("pages").getVectorsList().stream().map(ListItem::getId).toList(),
                "ids in bitwise order ('#' < 'o')");
        assertEquals(everything.subList(0, 4), index.list("pages", 4).getVectorsList().stream().map(ListItem::getId).toList());
        assertTrue(index.list("pages", "zzz").getVectorsList().isEmpty());
        assertTrue(index.list("empty-namespace").getVectorsList().isEmpty());
    }

    @Test
    void describeIndexStatsWithAndWithoutAFilter() {
        String n = denseIndex("stats", 8, "cosine");
        Index index = open(n);
        DescribeIndexStatsResponse empty = index.describeIndexStats();
        assertEquals(8, empty.getDimension());
        assertEquals(0, empty.getTotalVectorCount());
        assertTrue(empty.getNamespacesMap().isEmpty());

        for (int i = 0; i < 6; i++) {
            index.upsert("x" + i, unit(8, i), null, null, struct("kind", i < 2 ? "rare" : "common"), "");
        }
        for (int i = 0; i < 4; i++) index.upsert("y" + i, unit(8, i), null, null, struct("kind", "rare"), "ns-b");

        DescribeIndexStatsResponse stats = index.describeIndexStats();
        assertEquals(8, stats.getDimension());
        assertEquals(10, stats.getTotalVectorCount());
        assertEquals(Map.of("", 6, "ns-b", 4), namespaceCounts(stats));
        assertEquals("cosine", stats.getMetric());
        assertEquals("dense", stats.getVectorType());
        assertEquals(0f, stats.getIndexFullness());

        DescribeIndexStatsResponse rare = index.describeIndexStats(struct("kind", struct("$eq", "rare")));
        assertEquals(10, rare.getTotalVectorCount(), "the total is the index's, whatever the filter (the spec says so)");
        assertEquals(Map.of("", 2, "ns-b", 4), namespaceCounts(rare));
        assertEquals(8, rare.getDimension());
    }

    @Test
    void namespacesListDescribeAndDelete() {
        String n = denseIndex("nss", 4, "cosine");
        Index index = open(n);
        index.upsert("d1", List.of(1f, 0f, 0f, 0f), "");
        for (String ns : List.of("alpha", "beta", "gamma")) {
            for (int i = 0; i <= ns.length() - 4; i++) index.upsert(ns + i, List.of(1f, (float) i, 0f, 0f), ns);
        }
        // alpha: 2 records, beta: 1, gamma: 2, default: 1

        ListNamespacesResponse all = index.listNamespaces();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (NamespaceDescription d : all.getNamespacesList()) counts.put(d.getName(), d.getRecordCount());
        assertEquals(Map.of("__default__", 1L, "alpha", 2L, "beta", 1L, "gamma", 2L), counts);
        assertEquals(List.of("__default__", "alpha", "beta", "gamma"), new ArrayList<>(counts.keySet()), "bitwise order");
        assertEquals(4, all.getTotalCount());
        assertFalse(all.hasPagination());

        ListNamespacesResponse page1 = index.listNamespaces(null, 3);
        assertEquals(List.of("__default__", "alpha", "beta"), names(page1));
        assertTrue(page1.hasPagination());
        ListNamespacesResponse page2 = index.listNamespaces(page1.getPagination().getNext(), 3);
        assertEquals(List.of("gamma"), names(page2));
        assertFalse(page2.hasPagination());

        assertEquals(List.of("beta"), names(index.listNamespaces("be", null, 10)));

        NamespaceDescription alpha = index.describeNamespace("alpha");
        assertEquals("alpha", alpha.getName());
        assertEquals(2, alpha.getRecordCount());
        NamespaceDescription dflt = index.describeNamespace("__default__");
        assertEquals("__default__", dflt.getName());
        assertEquals(1, dflt.getRecordCount());

        index.deleteNamespace("alpha");
        assertEquals(List.of("__default__", "beta", "gamma"), names(index.listNamespaces()));
        assertFalse(namespaceCounts(index.describeIndexStats()).containsKey("alpha"));
        StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> index.describeNamespace("alpha"));
        assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class, () -> index.deleteNamespace("alpha"));
        assertEquals(Status.Code.NOT_FOUND, again.getStatus().getCode());
    }

    @Test
    void upsertInBatchesOfOneHundred() {
        String n = denseIndex("batch", 8, "cosine");
        Index index = open(n);
        int total = 250;
        List<VectorWithUnsignedIndices> all = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            List<Float> values = new ArrayList<>();
            for (int d = 0; d < 8; d++) values.add((float) Math.sin(i * 8 + d + 1));
            all.add(IndexInterface.buildUpsertVectorWithUnsignedIndices(String.format("b%04d", i), values, null, null,
                    struct("batch", i / 100, "i", i)));
        }
        List<Integer> counts = new ArrayList<>();
        for (int from = 0; from < total; from += 100) {
            counts.add(index.upsert(all.subList(from, Math.min(total, from + 100)), "bulk").getUpsertedCount());
        }
        assertEquals(List.of(100, 100, 50), counts);

        DescribeIndexStatsResponse stats = index.describeIndexStats();
        assertEquals(total, stats.getTotalVectorCount());
        assertEquals(total, stats.getNamespacesOrThrow("bulk").getVectorCount());
        assertEquals(100, index.describeIndexStats(struct("batch", 1)).getNamespacesOrThrow("bulk").getVectorCount());
        assertEquals(50, index.describeIndexStats(struct("batch", 2)).getNamespacesOrThrow("bulk").getVectorCount());
        assertEquals(total, index.describeIndexStats(struct("batch", 2)).getTotalVectorCount(), "the total ignores the filter");

        List<String> listed = listAll(index, "bulk", null, 100);
        assertEquals(all.stream().map(VectorWithUnsignedIndices::getId).toList(), listed);

        FetchResponse f = index.fetch(List.of("b0000", "b0099", "b0100", "b0249"), "bulk");
        for (int i : new int[] {0, 99, 100, 249}) {
            Vector v = f.getVectorsOrThrow(String.format("b%04d", i));
            assertEquals(all.get(i).getValuesList(), v.getValuesList());
            assertEquals(struct("batch", i / 100, "i", i), v.getMetadata());
        }

        // Re-upserting a batch overwrites instead of adding.
        assertEquals(100, index.upsert(all.subList(0, 100), "bulk").getUpsertedCount());
        assertEquals(total, index.describeIndexStats().getTotalVectorCount());

        // Query by id against the whole set: the record itself is the best match.
        QueryResponseWithUnsignedIndices r = index.queryByVectorId(3, "b0123", "bulk", false, false);
        assertEquals("b0123", r.getMatches(0).getId());
        assertEquals(1.0, r.getMatches(0).getScore(), 1e-5);
    }

    @Test
    void asyncIndexUpsertsAndQueries() throws Exception {
        String n = denseIndex("async", 4, "cosine");
        AsyncIndex async = pinecone.getAsyncIndexConnection(n);
        OPENED.add(async);
        async.upsert("a1", List.of(1f, 0f, 0f, 0f), "").get(30, TimeUnit.SECONDS);
        async.upsert("a2", List.of(0f, 1f, 0f, 0f), "").get(30, TimeUnit.SECONDS);
        var result = async.queryByVector(2, List.of(1f, 0.5f, 0f, 0f), "").get(30, TimeUnit.SECONDS);
        assertEquals(List.of("a1", "a2"), result.getMatchesList().stream().map(ScoredVectorWithUnsignedIndices::getId).toList());
        assertEquals(cosine(List.of(1f, 0f, 0f, 0f), List.of(1f, 0.5f, 0f, 0f)), result.getMatches(0).getScore(), 1e-5);
        assertEquals(2, async.describeIndexStats().get(30, TimeUnit.SECONDS).getTotalVectorCount());
    }

    @Test
    void responseMetadataListenerSeesGrpcOutcomes() {
        List<ResponseMetadata> seen = new CopyOnWriteArrayList<>();
        Pinecone observed = new Pinecone.Builder(TestServer.KEY).withHost(server.url()).withTlsEnabled(false)
                .withResponseMetadataListener(seen::add).build();
        String n = denseIndex("listen", 2, "cosine");
        Index index = observed.getIndexConnection(n);
        OPENED.add(index);
        index.upsert("a", List.of(1f, 0f), "ns");
        index.queryByVector(1, List.of(1f, 0f), "ns");
        assertThrows(StatusRuntimeException.class, () -> index.queryByVector(1, List.of(1f, 0f, 0f), "ns"));

        assertEquals(3, seen.size(), String.valueOf(seen));
        assertEquals(List.of("upsert", "query", "query"), seen.stream().map(ResponseMetadata::getOperationName).toList());
        for (ResponseMetadata m : seen) {
            assertEquals(n, m.getIndexName());
            assertEquals("ns", m.getNamespace());
        }
        assertEquals("OK", seen.get(0).getGrpcStatusCode());
        assertTrue(seen.get(1).isSuccess());
        assertEquals("INVALID_ARGUMENT", seen.get(2).getGrpcStatusCode());
        assertEquals("validation", seen.get(2).getErrorType());
    }

    // ------------------------------------------------------------------ sparse index

    @Test
    void sparseIndexUpsertQueryAndFetch() {
        String n = name("sparse-data");
        pinecone.createSparseServelessIndex(n, "aws", "us-east-1", "disabled", null, "sparse");
        Index index = open(n);

        // 3_000_000_000 does not fit a signed int: the SDK sends it as a negative int32 (uint32 on the wire).
        long big = 3_000_000_000L;
        Map<String, Map<Long, Float>> docs = new LinkedHashMap<>();
        docs.put("s1", Map.of(1L, 0.5f, 10L, 2f, big, 1f));
        docs.put("s2", Map.of(1L, 1.5f, 20L, 1f));
        docs.put("s3", Map.of(10L, 0.25f, 30L, 4f));
        docs.put("s4", Map.of(99L, 1f));
        List<VectorWithUnsignedIndices> batch = new ArrayList<>();
        for (Map.Entry<String, Map<Long, Float>> e : docs.entrySet()) {
            List<Long> idx = new ArrayList<>(e.getValue().keySet());
            List<Float> vals = new ArrayList<>();
            for (Long i : idx) vals.add(e.getValue().get(i));
            batch.add(new VectorWithUnsignedIndices(e.getKey(), List.of(), struct("doc", e.getKey()),
                    new SparseValuesWithUnsignedIndices(idx, vals)));
        }
        assertEquals(4, index.upsert(batch, "sp").getUpsertedCount());

        Map<Long, Float> q = Map.of(1L, 1f, 10L, 0.5f, big, 3f);
        List<Long> qi = new ArrayList<>(q.keySet());
        List<Float> qv = new ArrayList<>();
        for (Long i : qi) qv.add(q.get(i));
        QueryResponseWithUnsignedIndices r = index.query(10, null, qi, qv, null, "sp", null, true, true);
        // s1: 0.5*1 + 2*0.5 + 1*3 = 4.5; s2: 1.5; s3: 0.125; s4 shares no index with the query.
        assertEquals(List.of("s1", "s2", "s3"), r.getMatchesList().stream().map(ScoredVectorWithUnsignedIndices::getId).toList());
        assertEquals(4.5f, r.getMatches(0).getScore(), 1e-5);
        assertEquals(1.5f, r.getMatches(1).getScore(), 1e-5);
        assertEquals(0.125f, r.getMatches(2).getScore(), 1e-5);
        SparseValuesWithUnsignedIndices s1 = r.getMatches(0).getSparseValuesWithUnsignedIndices();
        assertEquals(List.of(1L, 10L, big), s1.getIndicesWithUnsigned32IntList(), "indices sorted as unsigned");
        assertEquals(List.of(0.5f, 2f, 1f), s1.getValuesList());
        assertTrue(r.getMatches(0).getValuesList().isEmpty(), "a sparse record has no dense values");
        assertEquals(struct("doc", "s1"), r.getMatches(0).getMetadata());

        // With a filter.
        QueryResponseWithUnsignedIndices f = index.query(10, null, qi, qv, null, "sp",
                struct("doc", struct("$ne", "s1")), false, false);
        assertEquals(List.of("s2", "s3"), f.getMatchesList().stream().map(ScoredVectorWithUnsignedIndices::getId).toList());

        // By id: the record's own sparse vector is the query.
        QueryResponseWithUnsignedIndices byId = index.queryByVectorId(2, "s3", "sp", false, false);
        assertEquals("s3", byId.getMatches(0).getId());
        assertEquals(0.25f * 0.25f + 16f, byId.getMatches(0).getScore(), 1e-5);
        assertEquals("s1", byId.getMatches(1).getId());
        assertEquals(0.5f, byId.getMatches(1).getScore(), 1e-5);

        Vector fetched = index.fetch(List.of("s1"), "sp").getVectorsOrThrow("s1");
        assertEquals(0, fetched.getValuesCount());
        List<Long> unsigned = fetched.getSparseValues().getIndicesList().stream().map(Integer::toUnsignedLong).toList();
        assertEquals(List.of(1L, 10L, big), unsigned);
        assertEquals(List.of(0.5f, 2f, 1f), fetched.getSparseValues().getValuesList());

        DescribeIndexStatsResponse stats = index.describeIndexStats();
        assertEquals("sparse", stats.getVectorType());
        assertEquals("dotproduct", stats.getMetric());
        assertEquals(4, stats.getTotalVectorCount());
        assertFalse(stats.hasDimension(), "a sparse index reports no dimension");

        // Dense values on a sparse index are refused.
        StatusRuntimeException dense = assertThrows(StatusRuntimeException.class,
                () -> index.upsert("bad", List.of(1f, 2f), "sp"));
        assertEquals(Status.Code.INVALID_ARGUMENT, dense.getStatus().getCode());
    }

    // ------------------------------------------------------------------ errors

    @Test
    void dataPlaneErrorsMapToGrpcStatuses() {
        String n = denseIndex("errs", 4, "cosine");
        Index index = open(n);
        index.upsert("ok", List.of(1f, 2f, 3f, 4f), "");

        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.upsert("v", List.of(1f, 2f, 3f), ""), "dimension");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.queryByVector(3, List.of(1f, 2f, 3f, 4f, 5f)), "dimension");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.update("ok", List.of(1f, 2f), ""), "dimension");
        assertEquals(List.of(1f, 2f, 3f, 4f), index.fetch(List.of("ok")).getVectorsOrThrow("ok").getValuesList(),
                "a rejected update changes nothing");

        Struct badOperator = struct("genre", struct("$regex", "dr.*"));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.queryByVector(3, List.of(1f, 2f, 3f, 4f), "", badOperator), "$regex");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.deleteByFilter(badOperator, ""), "$regex");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.describeIndexStats(badOperator), "$regex");
        Struct badRange = struct("year", struct("$gt", "1990"));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.queryByVector(3, List.of(1f, 2f, 3f, 4f), "", badRange), "$gt");
        assertEquals(1, index.describeIndexStats().getTotalVectorCount(), "a rejected delete deletes nothing");

        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.queryByVector(0, List.of(1f, 2f, 3f, 4f)), "topK");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.list("", "p", "not-a-token", 10), "paginationToken");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.upsert("z", List.of(0f, 0f, 0f, 0f), ""), "non-zero");

        List<VectorWithUnsignedIndices> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            tooMany.add(IndexInterface.buildUpsertVectorWithUnsignedIndices("t" + i, List.of(1f, 1f, 1f, 1f), null, null, null));
        }
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.upsert(tooMany, ""), "1000");
        assertEquals(1, index.describeIndexStats().getTotalVectorCount(), "a rejected batch writes nothing");

        StatusRuntimeException missingNs = assertThrows(StatusRuntimeException.class, () -> index.describeNamespace("nope"));
        assertEquals(Status.Code.NOT_FOUND, missingNs.getStatus().getCode());
    }

    @Test
    void wrongApiKeyIsUnauthenticatedOnGrpc() {
        String n = denseIndex("auth", 4, "cosine");
        Index good = open(n);
        good.upsert("secret", List.of(1f, 1f, 1f, 1f), "");
        String host = pinecone.describeIndex(n).getHost();

        // A second connection to the same host, carrying a wrong key (not through the SDK's per-name cache).
        PineconeConfig config = new PineconeConfig("wrong-key");
        config.setHost(host);
        config.setTLSEnabled(false);
        PineconeConnection connection = new PineconeConnection(config, n);
        OPENED.add(connection);
        Index bad = new Index(config, connection, n);

        assertStatus(Status.Code.UNAUTHENTICATED, () -> bad.fetch(List.of("secret")), null);
        assertStatus(Status.Code.UNAUTHENTICATED, () -> bad.upsert("x", List.of(1f, 1f, 1f, 1f), ""), null);
        assertStatus(Status.Code.UNAUTHENTICATED, bad::describeIndexStats, null);
        assertStatus(Status.Code.UNAUTHENTICATED, () -> bad.deleteAll(""), null);
        assertEquals(1, good.describeIndexStats().getTotalVectorCount(), "nothing was written or deleted");

        // The REST side of the same port agrees.
        Http.Response r = rest.withKey("wrong-key").forHost(host).get("/vectors/fetch?ids=secret");
        assertEquals(401, r.status(), r.toString());
        assertEquals(Status.Code.UNAUTHENTICATED.value(), r.json().get("code").asInt());
    }

    // ------------------------------------------------------------------ cross-protocol

    @Test
    void writtenOverGrpcReadsBackIdenticallyOverRest() throws Exception {
        String n = denseIndex("g2r", 4, "cosine");
        Index index = open(n);
        String host = pinecone.describeIndex(n).getHost();
        Http data = rest.forHost(host);

        Map<String, List<Float>> vectors = sampleVectors();
        Map<String, Struct> metadata = sampleMetadata();
        List<VectorWithUnsignedIndices> batch = new ArrayList<>();
        for (String id : vectors.keySet()) {
            batch.add(IndexInterface.buildUpsertVectorWithUnsignedIndices(id, vectors.get(id), null, null, metadata.get(id)));
        }
        index.upsert(batch, "xp");

        Http.Response r = data.get("/vectors/fetch?ids=m1&ids=m3&ids=m5&ids=absent&namespace=xp");
        assertEquals(200, r.status(), r.toString());
        JsonNode body = r.json();
        assertEquals("xp", body.get("namespace").asText());
        JsonNode vs = body.get("vectors");
        assertEquals(Set.of("m1", "m3", "m5"), fieldNames(vs));
        for (String id : List.of("m1", "m3", "m5")) {
            JsonNode v = vs.get(id);
            assertEquals(id, v.get("id").asText());
            assertEquals(vectors.get(id), floats(v.get("values")), "values of " + id);
            assertEquals(metadata.get(id), toStruct(v.get("metadata")), "metadata of " + id);
        }

        // The same query over both protocols gives the same ids and scores.
        List<Float> q = List.of(0.2f, 0.4f, 0.6f, 0.8f);
        QueryResponseWithUnsignedIndices grpc = index.queryByVector(5, q, "xp", false, false);
        Http.Response rq = data.post("/query", Map.of("vector", q, "topK", 5, "namespace", "xp"));
        assertEquals(200, rq.status(), rq.toString());
        JsonNode matches = rq.json().get("matches");
        assertEquals(grpc.getMatchesList().size(), matches.size());
        for (int i = 0; i < matches.size(); i++) {
            assertEquals(grpc.getMatches(i).getId(), matches.get(i).get("id").asText());
            assertEquals(grpc.getMatches(i).getScore(), (float) matches.get(i).get("score").asDouble(), 1e-6);
        }

        // And the same stats.
        JsonNode stats = data.post("/describe_index_stats", Map.of()).json();
        assertEquals(4, stats.get("dimension").asInt());
        assertEquals(vectors.size(), stats.get("totalVectorCount").asInt());
        assertEquals(vectors.size(), stats.get("namespaces").get("xp").get("vectorCount").asInt());
    }

    @Test
    void writtenOverRestReadsBackIdenticallyOverGrpc() throws Exception {
        String n = denseIndex("r2g", 4, "cosine");
        String host = pinecone.describeIndex(n).getHost();
        Http data = rest.forHost(host);

        String body = """
                {"namespace": "from-rest", "vectors": [
                  {"id": "r1", "values": [0.1, -0.7, 0.33, 1e-3],
                   "metadata": {"genre": "documentary", "year": 2021, "score": 7.25, "live": true, "langs": ["en", "fr"]}},
                  {"id": "r2", "values": [3.5, 0.0, -2.25, 0.125]},
                  {"id": "r3", "values": [1, 1, 1, 1], "metadata": {"genre": "drama"}}
                ]}""";
        Http.Response up = data.post("/vectors/upsert", body);
        assertEquals(200, up.status(), up.toString());
        assertEquals(3, up.json().get("upsertedCount").asInt());

        Index index = open(n);
        FetchResponse f = index.fetch(List.of("r1", "r2", "r3"), "from-rest");
        assertEquals(Set.of("r1", "r2", "r3"), f.getVectorsMap().keySet());
        Vector r1 = f.getVectorsOrThrow("r1");
        assertEquals(List.of(0.1f, -0.7f, 0.33f, 1e-3f), r1.getValuesList());
        assertEquals(struct("genre", "documentary", "year", 2021, "score", 7.25, "live", true, "langs", List.of("en", "fr")),
                r1.getMetadata());
        Vector r2 = f.getVectorsOrThrow("r2");
        assertEquals(List.of(3.5f, 0f, -2.25f, 0.125f), r2.getValuesList());
        assertFalse(r2.hasMetadata(), "no metadata was sent for r2: " + r2);
        assertEquals(struct("genre", "drama"), f.getVectorsOrThrow("r3").getMetadata());

        // REST fetch of the same records is identical to the gRPC fetch.
        JsonNode restVectors = data.get("/vectors/fetch?ids=r1&ids=r2&ids=r3&namespace=from-rest").json().get("vectors");
        for (String id : List.of("r1", "r2", "r3")) {
            assertEquals(f.getVectorsOrThrow(id).getValuesList(), floats(restVectors.get(id).get("values")));
        }

        // A REST update is visible over gRPC, and a gRPC update over REST.
        Http.Response upd = data.post("/vectors/update",
                Map.of("id", "r3", "namespace", "from-rest", "setMetadata", Map.of("year", 1999)));
        assertEquals(200, upd.status(), upd.toString());
        assertEquals(struct("genre", "drama", "year", 1999),
                index.fetch(List.of("r3"), "from-rest").getVectorsOrThrow("r3").getMetadata());
        index.update("r2", null, struct("tag", "grpc"), "from-rest", null, null);
        JsonNode r2rest = data.get("/vectors/fetch?ids=r2&namespace=from-rest").json().get("vectors").get("r2");
        assertEquals(struct("tag", "grpc"), toStruct(r2rest.get("metadata")));

        // A filter sent over gRPC matches what was written over REST.
        QueryResponseWithUnsignedIndices q = index.queryByVector(10, List.of(1f, 1f, 1f, 1f), "from-rest",
                struct("langs", struct("$in", List.of("fr"))), false, true);
        assertEquals(List.of("r1"), q.getMatchesList().stream().map(ScoredVectorWithUnsignedIndices::getId).toList());

        // A REST delete is visible over gRPC.
        Http.Response del = data.post("/vectors/delete", Map.of("ids", List.of("r1"), "namespace", "from-rest"));
        assertEquals(200, del.status(), del.toString());
        assertEquals(Set.of("r2", "r3"), index.fetch(List.of("r1", "r2", "r3"), "from-rest").getVectorsMap().keySet());
        assertEquals(List.of("r2", "r3"), listAll(index, "from-rest", null, 100));
    }

    @Test
    void unusualIdsAndNamespacesSurviveBothProtocols() throws Exception {
        String n = denseIndex("ids", 2, "euclidean");
        Index index = open(n);
        Http data = rest.forHost(pinecone.describeIndex(n).getHost());
        String ns = "ns with spaces/é";
        List<String> ids = List.of("café #1", "a/b?c=d&e", "日本語", "x".repeat(512));
        for (int i = 0; i < ids.size(); i++) index.upsert(ids.get(i), List.of((float) i, 1f), ns);

        // Over REST, with the ids and namespace URL-encoded.
        StringBuilder query = new StringBuilder("/vectors/fetch?namespace=").append(enc(ns));
        for (String id : ids) query.append("&ids=").append(enc(id));
        Http.Response r = data.get(query.toString());
        assertEquals(200, r.status(), r.toString());
        assertEquals(new HashSet<>(ids), fieldNames(r.json().get("vectors")));
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(List.of((float) i, 1f), floats(r.json().get("vectors").get(ids.get(i)).get("values")));
        }
        JsonNode listed = data.get("/vectors/list?namespace=" + enc(ns)).json().get("vectors");
        List<String> restIds = new ArrayList<>();
        for (JsonNode item : listed) restIds.add(item.get("id").asText());

        // Over gRPC: the same ids, in the same (bitwise) order.
        List<String> grpcIds = listAll(index, ns, null, 2);
        assertEquals(restIds, grpcIds);
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort((a, b) -> java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                b.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(sorted, grpcIds);

        // Euclidean scores are squared distances, smallest first.
        QueryResponseWithUnsignedIndices q = index.queryByVector(2, List.of(1.8f, 1f), ns);
        assertEquals(List.of("日本語", "a/b?c=d&e"), q.getMatchesList().stream().map(ScoredVectorWithUnsignedIndices::getId).toList());
        assertEquals(0.04, q.getMatches(0).getScore(), 1e-5);
        assertEquals(0.64, q.getMatches(1).getScore(), 1e-5);

        assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.upsert("y".repeat(513), List.of(1f, 1f), ns), "512");
    }

    // ------------------------------------------------------------------ helpers

    private static String name(String what) {
        return "sdk-" + what + "-" + SEQ.incrementAndGet();
    }

    private static String denseIndex(String what, int dimension, String metric) {
        String n = name(what);
        IndexModel m = pinecone.createServerlessIndex(n, metric, dimension, "aws", "us-east-1", "disabled", null);
        assertDenseModel(m, n, dimension, metric);
        return n;
    }

    private static Index open(String indexName) {
        Index index = pinecone.getIndexConnection(indexName);
        OPENED.add(index);
        return index;
    }

    private static void assertDenseModel(IndexModel m, String name, int dimension, String metric) {
        assertNotNull(m);
        assertEquals(name, m.getName());
        assertEquals(dimension, m.getDimension());
        assertEquals(metric, m.getMetric());
        assertEquals("dense", m.getVectorType());
        assertReadyServerless(m);
    }

    private static void assertReadyServerless(IndexModel m) {
        assertTrue(m.getHost().matches("http://localhost:\\d+"), "host carries the plaintext scheme: " + m.getHost());
        assertNull(m.getPrivateHost());
        assertEquals(Boolean.TRUE, m.getStatus().getReady());
        assertEquals("Ready", m.getStatus().getState());
        ServerlessSpecResponse serverless = m.getSpec().getIndexModelServerless().getServerless();
        assertEquals("aws", serverless.getCloud());
        assertEquals("us-east-1", serverless.getRegion());
        ReadCapacityOnDemandSpecResponse rc = serverless.getReadCapacity().getReadCapacityOnDemandSpecResponse();
        assertEquals("OnDemand", rc.getMode());
        assertEquals("Ready", rc.getStatus().getState());
    }

    private static Map<String, List<Float>> sampleVectors() {
        Map<String, List<Float>> v = new LinkedHashMap<>();
        v.put("m1", List.of(1f, 0f, 0f, 0f));
        v.put("m2", List.of(0.7f, 0.7f, 0.1f, 0f));
        v.put("m3", List.of(0.1f, 0.9f, 0.3f, 0.2f));
        v.put("m4", List.of(0.5f, -0.2f, 0.8f, 0.1f));
        v.put("m5", List.of(-0.3f, 0.4f, 0.2f, 0.9f));
        return v;
    }

    private static Map<String, Struct> sampleMetadata() {
        Map<String, Struct> m = new LinkedHashMap<>();
        m.put("m1", struct("genre", "drama", "year", 1994, "classic", false, "tags", List.of("prison", "hope")));
        m.put("m2", struct("genre", "thriller", "year", 2010, "classic", false));
        m.put("m3", struct("genre", "drama", "year", 2003.5, "classic", false, "tags", List.of()));
        m.put("m4", struct("genre", "comedy", "year", 2019, "classic", false, "title", "Ünïcødé ✓"));
        m.put("m5", struct("genre", "drama", "year", 1942, "classic", true));
        return m;
    }

    /** A Struct from alternating keys and values (strings, numbers, booleans, lists, Structs). */
    static Struct struct(Object... kv) {
        Struct.Builder b = Struct.newBuilder();
        for (int i = 0; i < kv.length; i += 2) b.putFields((String) kv[i], value(kv[i + 1]));
        return b.build();
    }

    private static Value value(Object o) {
        if (o instanceof Struct s) return Value.newBuilder().setStructValue(s).build();
        if (o instanceof String s) return Value.newBuilder().setStringValue(s).build();
        if (o instanceof Number n) return Value.newBuilder().setNumberValue(n.doubleValue()).build();
        if (o instanceof Boolean b) return Value.newBuilder().setBoolValue(b).build();
        if (o instanceof List<?> list) {
            ListValue.Builder lb = ListValue.newBuilder();
            for (Object item : list) lb.addValues(value(item));
            return Value.newBuilder().setListValue(lb).build();
        }
        throw new IllegalArgumentException("unsupported: " + o);
    }

    private static Struct toStruct(JsonNode json) throws Exception {
        Struct.Builder b = Struct.newBuilder();
        JsonFormat.parser().merge(json.toString(), b);
        return b.build();
    }

    private static List<Float> floats(JsonNode array) {
        List<Float> out = new ArrayList<>();
        for (JsonNode n : array) out.add((float) n.asDouble());
        return out;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> out = new HashSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<Float> unit(int dimension, int axis) {
        List<Float> v = new ArrayList<>();
        for (int i = 0; i < dimension; i++) v.add(i == axis ? 1f : 0.01f);
        return v;
    }

    static double dot(List<Float> a, List<Float> b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += (double) a.get(i) * b.get(i);
        return s;
    }

    static double cosine(List<Float> a, List<Float> b) {
        return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
    }

    /** All ids with their scores against {@code q}, best first. */
    private static List<Map.Entry<String, Double>> ranked(Map<String, List<Float>> vectors, List<Float> q,
            java.util.function.BiFunction<List<Float>, List<Float>, Double> score) {
        List<Map.Entry<String, Double>> out = new ArrayList<>();
        vectors.forEach((id, v) -> out.add(Map.entry(id, score.apply(v, q))));
        out.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
        return out;
    }

    private static void assertMatches(List<Map.Entry<String, Double>> expected, List<ScoredVectorWithUnsignedIndices> actual,
            double tolerance) {
        List<String> actualIds = actual.stream().map(ScoredVectorWithUnsignedIndices::getId).toList();
        assertEquals(expected.stream().map(Map.Entry::getKey).toList(), actualIds, "ids in score order; got " + actual);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).getValue(), actual.get(i).getScore(), tolerance, "score of " + actualIds.get(i));
        }
    }

    private static Set<String> ids(List<ScoredVectorWithUnsignedIndices> matches) {
        Set<String> out = new HashSet<>();
        for (ScoredVectorWithUnsignedIndices m : matches) out.add(m.getId());
        return out;
    }

    private static Map<String, Integer> namespaceCounts(DescribeIndexStatsResponse stats) {
        Map<String, Integer> out = new LinkedHashMap<>();
        stats.getNamespacesMap().forEach((k, v) -> out.put(k, v.getVectorCount()));
        return out;
    }

    private static List<String> names(ListNamespacesResponse r) {
        return r.getNamespacesList().stream().map(NamespaceDescription::getName).toList();
    }

    /** Follows pagination to the end; each page must hold at most {@code limit} ids. */
    private static List<String> listAll(Index index, String namespace, String prefix, int limit) {
        List<String> out = new ArrayList<>();
        String token = null;
        for (int pages = 0; pages < 1000; pages++) {
            ListResponse page;
            if (prefix == null) {
                page = token == null ? index.list(namespace, limit) : index.list(namespace, limit, token);
            } else {
                page = token == null ? index.list(namespace, prefix, limit) : index.list(namespace, prefix, token, limit);
            }
            assertTrue(page.getVectorsCount() <= limit, "page larger than limit " + limit);
            for (ListItem item : page.getVectorsList()) out.add(item.getId());
            if (!page.hasPagination() || page.getPagination().getNext().isEmpty()) return out;
            token = page.getPagination().getNext();
        }
        throw new AssertionError("pagination does not end");
    }

    private static void assertStatus(Status.Code code, Runnable call, String messagePart) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), String.valueOf(e.getStatus()));
        if (messagePart != null) {
            String d = String.valueOf(e.getStatus().getDescription());
            assertTrue(d.contains(messagePart), "status description should mention '" + messagePart + "': " + d);
        }
    }
}
