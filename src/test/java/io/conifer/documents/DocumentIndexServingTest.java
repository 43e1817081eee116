package io.conifer.documents;

import static io.conifer.documents.DocumentStoreTest.SCHEMA;
import static io.conifer.documents.DocumentStoreTest.corpus;
import static io.conifer.documents.DocumentStoreTest.ids;
import static io.conifer.documents.DocumentStoreTest.word;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.error.ConiferException;
import io.conifer.error.ErrorCode;
import io.conifer.index.Deployment;
import io.conifer.index.IndexManager;
import io.conifer.index.IndexSchema;
import io.conifer.index.ReadCapacity;
import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A document index in a running server: opened as a document store (again after a crash, with every
 * acknowledged document), and each API asked of the other kind of index answers 400 naming the right one.
 */
class DocumentIndexServingTest {
    private static final String P = "default";

    @Test
    void aDocumentIndexIsServedAsDocumentsAndSurvivesACrash(@TempDir Path data) throws Exception {
        try (TestServer test = TestServer.start(data)) {
            IndexManager indexes = test.server().indexes();
            indexes.create(P, new IndexManager.NewIndex("docs", SCHEMA, Deployment.DEFAULT, ReadCapacity.ON_DEMAND, false, Map.of(), null));
            indexes.create(P, new IndexManager.NewIndex("vecs", IndexSchema.vectors(VectorType.DENSE, 2, Metric.COSINE, null),
                    Deployment.DEFAULT, ReadCapacity.ON_DEMAND, false, Map.of(), null));
            corpus(indexes.documents(P, "docs"));

            ConiferException vectorsOfDocs = assertThrows(ConiferException.class, () -> indexes.vectors(P, "docs"));
            assertEquals(ErrorCode.INVALID_ARGUMENT, vectorsOfDocs.code());
            assertTrue(vectorsOfDocs.getMessage().contains("documents API"), vectorsOfDocs.getMessage());
            ConiferException documentsOfVectors = assertThrows(ConiferException.class, () -> indexes.documents(P, "vecs"));
            assertTrue(documentsOfVectors.getMessage().contains("vectors API"), documentsOfVectors.getMessage());

            int port = indexes.require(P, "docs").definition().port();
            Http.Response upsert = new Http("http://localhost:" + port, TestServer.KEY).post("/vectors/upsert",
                    Map.of("vectors", List.of(Map.of("id", "v", "values", List.of(1, 0)))));
            assertEquals(400, upsert.status(), upsert.body());
            assertTrue(upsert.body().contains("documents API"), upsert.body());

            test.crashAndRestart();
            IndexManager again = test.server().indexes();
            DocumentStore docs = again.documents(P, "docs");
            assertEquals(Map.of("a", 4L, "b", 1L), docs.stats(null).result().namespaces());
            assertEquals(List.of("d3", "d1"), ids(docs.search("a", new DocumentSearch(new DocumentSearch.Lexical(word("body", "fox")), null, 5))
                    .result()));
            assertEquals(SCHEMA, again.require(P, "docs").definition().schema());

            again.delete(P, "docs");
            ConiferException gone = assertThrows(ConiferException.class, () -> again.documents(P, "docs"));
            assertEquals(ErrorCode.NOT_FOUND, gone.code());
        }
    }
}
