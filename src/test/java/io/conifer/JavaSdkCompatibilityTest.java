package io.conifer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.pinecone.clients.Index;
import io.pinecone.clients.Pinecone;
import io.pinecone.proto.DeleteRequest;
import io.pinecone.proto.FetchByMetadataResponse;
import io.pinecone.proto.FetchRequest;
import io.pinecone.proto.ListNamespacesResponse;
import io.pinecone.proto.MetadataFieldProperties;
import io.pinecone.proto.MetadataSchema;
import io.pinecone.proto.QueryRequest;
import io.pinecone.proto.QueryResponse;
import io.pinecone.proto.UpsertRequest;
import io.pinecone.proto.Vector;
import io.pinecone.proto.VectorServiceGrpc;
import io.pinecone.unsigned_indices_model.VectorWithUnsignedIndices;
import io.pinecone.proto.NamespaceDescription;
import io.pinecone.proto.UpdateResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java SDK 6.1.0 behaviours that first failed against Conifer and are kept as regression tests:
 * a deleted index's host must not reach the next index, and the 2025-10 operations fetch by metadata,
 * update by metadata and create namespace work through the SDK; what other official clients rely on:
 * namespace schemas, read units and the LSN headers (as gRPC response metadata).
 */
class JavaSdkCompatibilityTest {

    private static Pinecone sdk(TestServer server) {
        return new Pinecone.Builder(TestServer.KEY).withHost(server.url()).withTlsEnabled(false).build();
    }

    private static Struct struct(String key, String value) {
        return Struct.newBuilder().putFields(key, Value.newBuilder().setStringValue(value).build()).build();
    }

    @Test
    void aDeletedIndexsHostMustNotReachTheNextIndex(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = sdk(server);
            pc.createServerlessIndex("issue-old", "cosine", 2, "aws", "us-east-1", "disabled", null);
            String oldHost = pc.describeIndex("issue-old").getHost();
            Index old = pc.getIndexConnection("issue-old");
            old.upsert("before", List.of(1f, 1f), "");

            pc.deleteIndex("issue-old");
            pc.createServerlessIndex("issue-new", "cosine", 2, "aws", "us-east-1", "disabled", null);
            String newHost = pc.describeIndex("issue-new").getHost();
            Index fresh = pc.getIndexConnection("issue-new");
            try {
                // Today this write succeeds and lands in 'issue-new'.
                assertThrows(StatusRuntimeException.class, () -> old.upsert("stale", List.of(5f, 5f), ""),
                        "a write through the deleted index's connection must fail");
                assertTrue(fresh.fetch(List.of("stale")).getVectorsMap().isEmpty(),
                        "a write meant for the deleted index landed in the new one");
                // Pinecone gives every index its own host; a deleted index's host never serves another index.
                assertNotEquals(oldHost, newHost, "the new index got the deleted index's host");
            } finally {
                old.close();
                fresh.close();
            }
        }
    }

    /**
     * Pinecone's host follows from the index name, so an index deleted and created again under its name
     * keeps its host; the SDK caches its connection by name (a static map, beyond any one client), and
     * every call through it failed when the new index got a new port.
     */
    @Test
    void anIndexCreatedAgainUnderItsNameKeepsItsHostAndTheSdksConnection(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = sdk(server);
            pc.createServerlessIndex("issue-again", "cosine", 2, "aws", "us-east-1", "disabled", null);
            String firstHost = pc.describeIndex("issue-again").getHost();
            pc.getIndexConnection("issue-again").upsert("old", List.of(1f, 1f), "");

            pc.deleteIndex("issue-again");
            pc.createServerlessIndex("issue-again", "cosine", 2, "aws", "us-east-1", "disabled", null);
            assertEquals(firstHost, pc.describeIndex("issue-again").getHost(), "the same name, the same host");
            Index again = sdk(server).getIndexConnection("issue-again"); // the cached connection, as a new client gets it
            try {
                again.upsert("new", List.of(2f, 2f), "");
                assertEquals(java.util.Set.of("new"), again.fetch(List.of("old", "new")).getVectorsMap().keySet(),
                        "the new index, empty of the deleted one's records");
            } finally {
                again.close();
            }
        }
    }

    @Test
    void fetchByMetadata(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = sdk(server);
            pc.createServerlessIndex("issue-fbm", "cosine", 2, "aws", "us-east-1", "disabled", null);
            try (Index index = pc.getIndexConnection("issue-fbm")) {
                index.upsert("a", List.of(1f, 0f), null, null, struct("genre", "jazz"), "ns");
                index.upsert("b", List.of(0f, 1f), null, null, struct("genre", "rock"), "ns");
                FetchByMetadataResponse r = index.fetchByMetadata("ns", struct("genre", "jazz"));
                assertEquals(Set.of("a"), r.getVectorsMap().keySet());
                assertEquals(List.of(1f, 0f), r.getVectorsOrThrow("a").getValuesList());
                assertEquals(struct("genre", "jazz"), r.getVectorsOrThrow("a").getMetadata());
                // The filter is optional (the SDK leaves a null one out): every record of the namespace.
                assertEquals(Set.of("a", "b"), index.fetchByMetadata("ns", null).getVectorsMap().keySet());
            }
        }
    }

    @Test
    void updateByMetadata(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = sdk(server);
            pc.createServerlessIndex("issue-ubm", "cosine", 2, "aws", "us-east-1", "disabled", null);
            try (Index index = pc.getIndexConnection("issue-ubm")) {
                index.upsert("a", List.of(1f, 0f), null, null, struct("genre", "jazz"), "ns");
                index.upsert("b", List.of(0f, 1f), null, null, struct("genre", "rock"), "ns");
                UpdateResponse r = index.updateByMetadata(struct("genre", "jazz"), struct("mood", "calm"), "ns");
                assertEquals(1, r.getMatchedRecords());
                assertEquals("calm", index.fetch(List.of("a"), "ns").getVectorsOrThrow("a").getMetadata()
                        .getFieldsOrThrow("mood").getStringValue());
                assertTrue(index.fetch(List.of("b"), "ns").getVectorsOrThrow("b").getMetadata().getFieldsMap()
                        .get("mood") == null);
            }
        }
    }

    @Test
    void createNamespace(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = sdk(server);
            pc.createServerlessIndex("issue-cns", "cosine", 2, "aws", "us-east-1", "disabled", null);
            try (Index index = pc.getIndexConnection("issue-cns")) {
                NamespaceDescription d = index.createNamespace("empty-ns");
                assertEquals("empty-ns", d.getName());
                assertEquals(0, d.getRecordCount());
                assertEquals("empty-ns", index.describeNamespace("empty-ns").getName());
            }
        }
    }

    @Test
    void namespaceWithAMetadataSchema(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = sdk(server);
            pc.createServerlessIndex("issue-nss", "cosine", 2, "aws", "us-east-1", "disabled", null);
            MetadataSchema schema = MetadataSchema.newBuilder()
                    .putFields("genre", MetadataFieldProperties.newBuilder().setFilterable(true).build())
                    .putFields("year", MetadataFieldProperties.newBuilder().setFilterable(true).build())
                    .build();
            try (Index index = pc.getIndexConnection("issue-nss")) {
                NamespaceDescription created = index.createNamespace("films", schema);
                assertEquals(schema, created.getSchema());
                assertEquals(schema, index.describeNamespace("films").getSchema());
                index.createNamespace("plain");
                assertFalse(index.describeNamespace("plain").hasSchema(), "a namespace created without a schema has none");
                index.upsert("a", List.of(1f, 0f), null, null, struct("genre", "jazz"), "films");
                assertEquals(1, index.queryByVector(1, List.of(1f, 0f), "films", struct("genre", "jazz")).getMatchesList().size());
                // filterable: false is not supported by Pinecone either: refused, and nothing is created.
                MetadataSchema unfilterable = MetadataSchema.newBuilder()
                        .putFields("genre", MetadataFieldProperties.newBuilder().setFilterable(false).build()).build();
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                        () -> index.createNamespace("bad", unfilterable));
                assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
                assertThrows(StatusRuntimeException.class, () -> index.describeNamespace("bad"));
            }
            // Durable: replayed from the log after a crash, and from Lucene after a clean restart.
            server.crashAndRestart();
            Pinecone again = sdk(server);
            try (Index index = again.getIndexConnection("issue-nss")) {
                assertEquals(schema, index.describeNamespace("films").getSchema());
                ListNamespacesResponse listed = index.listNamespaces();
                NamespaceDescription films = listed.getNamespacesList().stream()
                        .filter(n -> n.getName().equals("films")).findFirst().orElseThrow();
                assertEquals(schema, films.getSchema());
                assertEquals(1, films.getRecordCount());
            }
        }
    }

    @Test
    void readsReportReadUnits(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = sdk(server);
            pc.createServerlessIndex("issue-ru", "cosine", 2, "aws", "us-east-1", "disabled", null);
            try (Index index = pc.getIndexConnection("issue-ru")) {
                List<VectorWithUnsignedIndices> batch = new java.util.ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    batch.add(io.pinecone.commons.IndexInterface.buildUpsertVectorWithUnsignedIndices(
                            "v" + i, List.of(1f, (float) i), null, null, struct("genre", "jazz")));
                }
                index.upsert(batch, "ns");
                List<String> ids = batch.stream().map(VectorWithUnsignedIndices::getId).toList();
                assertEquals(1, index.fetch(List.of("v1"), "ns").getUsage().getReadUnits());
                assertEquals(1, index.fetch(List.of("nothing"), "ns").getUsage().getReadUnits(), "at least 1");
                assertEquals(3, index.fetch(ids, "ns").getUsage().getReadUnits(), "1 per 10 records fetched");
                assertEquals(1, index.queryByVector(3, List.of(1f, 0f), "ns").getUsage().getReadUnits());
                assertEquals(1, index.list("ns").getUsage().getReadUnits());
                assertEquals(3, index.fetchByMetadata("ns", struct("genre", "jazz")).getUsage().getReadUnits());
            }
        }
    }

    @Test
    void lsnHeadersAreGrpcResponseMetadata(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = sdk(server);
            ManagedChannel channel = channelToNewIndex(pc, "issue-lsn");
            try {
                Metadata key = apiKey();
                AtomicReference<Metadata> headers = new AtomicReference<>();
                AtomicReference<Metadata> trailers = new AtomicReference<>();
                VectorServiceGrpc.VectorServiceBlockingStub stub = VectorServiceGrpc.newBlockingStub(channel).withInterceptors(
                        MetadataUtils.newAttachHeadersInterceptor(key), MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
                Metadata.Key<String> requestLsn = Metadata.Key.of("x-pinecone-request-lsn", Metadata.ASCII_STRING_MARSHALLER);
                Metadata.Key<String> maxIndexedLsn = Metadata.Key.of("x-pinecone-max-indexed-lsn", Metadata.ASCII_STRING_MARSHALLER);

                stub.upsert(UpsertRequest.newBuilder().addVectors(Vector.newBuilder().setId("a").addValues(1f).addValues(0f)).build());
                long first = Long.parseLong(headers.get().get(requestLsn));
                stub.upsert(UpsertRequest.newBuilder().addVectors(Vector.newBuilder().setId("b").addValues(0f).addValues(1f)).build());
                long second = Long.parseLong(headers.get().get(requestLsn));
                assertTrue(second > first, "each write gets a higher sequence number: " + first + ", " + second);

                QueryResponse q = stub.query(QueryRequest.newBuilder().setTopK(5).addVector(1f).addVector(0f).build());
                assertEquals(2, q.getMatchesCount());
                assertTrue(Long.parseLong(headers.get().get(maxIndexedLsn)) >= second, "the query sees both writes");

                stub.delete(DeleteRequest.newBuilder().addIds("a").build());
                long deleted = Long.parseLong(headers.get().get(requestLsn));
                assertTrue(deleted > second);
                stub.fetch(FetchRequest.newBuilder().addIds("a").build());
                assertTrue(Long.parseLong(headers.get().get(maxIndexedLsn)) >= deleted);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /**
     * Concurrent gRPC queries share their connection's event loop, so they are handed to the query
     * threads ({@code BlockingCalls}); there they must still answer in full, with the LSN of what they saw.
     */
    @Test
    void concurrentGrpcQueriesRunOnTheQueryThreadsWithTheirLsn(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = sdk(server);
            ManagedChannel channel = channelToNewIndex(pc, "concurrent-queries");
            try {
                Metadata key = apiKey();
                Metadata.Key<String> requestLsn = Metadata.Key.of("x-pinecone-request-lsn", Metadata.ASCII_STRING_MARSHALLER);
                Metadata.Key<String> maxIndexedLsn = Metadata.Key.of("x-pinecone-max-indexed-lsn", Metadata.ASCII_STRING_MARSHALLER);
                AtomicReference<Metadata> written = new AtomicReference<>();
                VectorServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key),
                        MetadataUtils.newCaptureMetadataInterceptor(written, new AtomicReference<>()))
                        .upsert(UpsertRequest.newBuilder().addVectors(Vector.newBuilder().setId("a").addValues(1f).addValues(0f))
                                .addVectors(Vector.newBuilder().setId("b").addValues(0f).addValues(1f)).build());
                long lsn = Long.parseLong(written.get().get(requestLsn));
                List<Thread> clients = new java.util.ArrayList<>();
                java.util.Queue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
                for (int c = 0; c < 4; c++) {
                    clients.add(Thread.ofPlatform().start(() -> {
                        AtomicReference<Metadata> headers = new AtomicReference<>();
                        VectorServiceGrpc.VectorServiceBlockingStub stub = VectorServiceGrpc.newBlockingStub(channel).withInterceptors(
                                MetadataUtils.newAttachHeadersInterceptor(key), MetadataUtils.newCaptureMetadataInterceptor(headers,
                                        new AtomicReference<>()));
                        for (int i = 0; i < 50; i++) {
                            try {
                                QueryResponse q = stub.query(QueryRequest.newBuilder().setTopK(5).addVector(1f).addVector(0f).build());
                                String seen = headers.get().get(maxIndexedLsn);
                                if (q.getMatchesCount() != 2 || !q.getMatches(0).getId().equals("a") || seen == null
                                        || Long.parseLong(seen) < lsn) {
                                    failures.add(q.getMatchesList() + " lsn " + seen);
                                }
                            } catch (RuntimeException e) {
                                failures.add(e.toString());
                            }
                        }
                    }));
                }
                for (Thread t : clients) t.join();
                assertEquals(List.of(), List.copyOf(failures));
                assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().startsWith("conifer-query-")),
                        "concurrent queries that cannot block run on the query threads");
            } finally {
                channel.shutdownNow();
            }
        }
    }

    /** A plain gRPC channel to a new 2-dimension cosine index. */
    private static ManagedChannel channelToNewIndex(Pinecone pc, String name) {
        pc.createServerlessIndex(name, "cosine", 2, "aws", "us-east-1", "disabled", null);
        String host = pc.describeIndex(name).getHost().replaceFirst("^https?://", "");
        return NettyChannelBuilder.forTarget(host).usePlaintext().build();
    }

    private static Metadata apiKey() {
        Metadata key = new Metadata();
        key.put(Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER), TestServer.KEY);
        return key;
    }
}
