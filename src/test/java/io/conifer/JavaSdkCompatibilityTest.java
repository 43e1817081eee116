package io.conifer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.StatusRuntimeException;
import io.pinecone.clients.Index;
import io.pinecone.clients.Pinecone;
import io.pinecone.proto.FetchByMetadataResponse;
import io.pinecone.proto.NamespaceDescription;
import io.pinecone.proto.UpdateResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java SDK 6.1.0 behaviours that first failed against Conifer and are kept as regression tests:
 * a deleted index's host must not reach the next index, and the 2025-10 operations fetch by metadata,
 * update by metadata and create namespace work through the SDK.
 */
class JavaSdkCompatibilityTest {

    private static Struct struct(String key, String value) {
        return Struct.newBuilder().putFields(key, Value.newBuilder().setStringValue(value).build()).build();
    }

    @Test
    void aDeletedIndexsHostMustNotReachTheNextIndex(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = new Pinecone.Builder(TestServer.KEY).withHost(server.url()).withTlsEnabled(false).build();
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

    @Test
    void fetchByMetadata(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = new Pinecone.Builder(TestServer.KEY).withHost(server.url()).withTlsEnabled(false).build();
            pc.createServerlessIndex("issue-fbm", "cosine", 2, "aws", "us-east-1", "disabled", null);
            try (Index index = pc.getIndexConnection("issue-fbm")) {
                index.upsert("a", List.of(1f, 0f), null, null, struct("genre", "jazz"), "ns");
                index.upsert("b", List.of(0f, 1f), null, null, struct("genre", "rock"), "ns");
                FetchByMetadataResponse r = index.fetchByMetadata("ns", struct("genre", "jazz"));
                assertEquals(Set.of("a"), r.getVectorsMap().keySet());
                assertEquals(List.of(1f, 0f), r.getVectorsOrThrow("a").getValuesList());
                assertEquals(struct("genre", "jazz"), r.getVectorsOrThrow("a").getMetadata());
            }
        }
    }

    @Test
    void updateByMetadata(@TempDir Path dir) throws Exception {
        try (TestServer server = TestServer.start(dir)) {
            Pinecone pc = new Pinecone.Builder(TestServer.KEY).withHost(server.url()).withTlsEnabled(false).build();
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
            Pinecone pc = new Pinecone.Builder(TestServer.KEY).withHost(server.url()).withTlsEnabled(false).build();
            pc.createServerlessIndex("issue-cns", "cosine", 2, "aws", "us-east-1", "disabled", null);
            try (Index index = pc.getIndexConnection("issue-cns")) {
                NamespaceDescription d = index.createNamespace("empty-ns");
                assertEquals("empty-ns", d.getName());
                assertEquals(0, d.getRecordCount());
                assertEquals("empty-ns", index.describeNamespace("empty-ns").getName());
            }
        }
    }
}
