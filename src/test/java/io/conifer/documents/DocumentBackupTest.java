package io.conifer.documents;

import static io.conifer.documents.DocumentStoreTest.SCHEMA;
import static io.conifer.documents.DocumentStoreTest.doc;
import static io.conifer.documents.DocumentStoreTest.sparse;
import static io.conifer.documents.DocumentStoreTest.word;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.TestServer;
import io.conifer.backup.BackupManifest;
import io.conifer.backup.BackupRepository;
import io.conifer.backup.BackupStatus;
import io.conifer.index.Deployment;
import io.conifer.index.IndexManager;
import io.conifer.index.ReadCapacity;
import io.conifer.restore.RestoreJob;
import io.conifer.server.ConiferServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A document index is backed up and restored like any index: the schema travels with the backup, the
 * restored index is a document index answering the same searches with the same scores, and a second
 * backup after a small change copies only what changed.
 */
class DocumentBackupTest {
    private static final String PROJECT = "default";

    static final List<DocumentSearch> SEARCHES = List.of(
            new DocumentSearch(new DocumentSearch.Lexical(word("body", "fox")), null, 10),
            new DocumentSearch(new DocumentSearch.Lexical(new BooleanQuery.Builder().add(word("title", "river"), Occur.SHOULD)
                    .add(word("body", "forest"), Occur.SHOULD).build()), DocumentFilters.toQuery(SCHEMA, Map.of("group", 1), true), 10),
            new DocumentSearch(new DocumentSearch.Dense("emb", new float[] {0.3f, 0.7f}), null, 10),
            new DocumentSearch(new DocumentSearch.Sparse("sp", sparse(new int[] {1, 3}, new float[] {0.5f, 2f})), null, 10));

    @Test
    void aRestoredDocumentIndexAnswersTheSameSearchesWithTheSameScores(@TempDir Path data) throws Exception {
        try (TestServer test = TestServer.start(data)) {
            ConiferServer server = test.server();
            server.indexes().create(PROJECT, new IndexManager.NewIndex("docs", SCHEMA, Deployment.DEFAULT, ReadCapacity.ON_DEMAND,
                    false, Map.of(), null));
            DocumentStore docs = server.indexes().documents(PROJECT, "docs");
            String[] words = {"fox", "river", "forest", "stone", "cloud", "lantern", "harbor", "meadow"};
            for (int batch = 0; batch < 4; batch++) {
                List<DocumentRecord> page = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int n = batch * 100 + i;
                    StringBuilder body = new StringBuilder();
                    for (int w = 0; w < 20 + n % 13; w++) body.append(words[(n * 7 + w * w) % words.length]).append(' ');
                    page.add(doc("doc-" + n, words[n % words.length] + " " + words[(n / 3) % words.length], body.toString(),
                            new float[] {1 + n % 5, 1 + n % 7}, sparse(new int[] {n % 4, 4 + n % 3}, new float[] {1 + n % 3, 0.5f}),
                            "group", n % 3));
                }
                docs.upsert(n(batch), page);
            }
            // The settle merge (5 s after the last write) renumbers documents, which reorders equal scores, and
            // rewrites every segment, which a second backup would copy: both backups must see the settled layout.
            awaitOneCommittedSegment(data.resolve("indexes"));
            List<List<String>> before = answers(docs);

            BackupManifest first = backup(server, "first");
            RestoreJob restored = restore(server, first.backupId(), "restored");
            assertEquals(RestoreJob.Status.Completed, restored.status(), String.valueOf(restored.failureReason()));
            assertEquals(SCHEMA, server.indexes().require(PROJECT, "restored").definition().schema(), "the schema travelled");
            DocumentStore copy = server.indexes().documents(PROJECT, "restored");
            assertEquals(before, answers(copy), "same documents, same order, same scores");
            assertEquals(docs.stats(null).result().namespaces(), copy.stats(null).result().namespaces());

            // A small change: the second backup reuses the first one's segments.
            BackupRepository repo = server.backups().repository();
            Set<String> blobsBefore = new HashSet<>(repo.blobs());
            docs.upsert("ns-0", List.of(doc("doc-0", "changed fox", "fox fox", new float[] {1, 1}, null)));
            BackupManifest second = backup(server, "second");
            long copied = 0;
            for (String blob : repo.blobs()) if (!blobsBefore.contains(blob)) copied += repo.blobLength(blob);
            assertTrue(copied * 4 < first.sizeBytes(), "an incremental backup copied " + copied + " of " + first.sizeBytes() + " bytes");
            Set<String> firstFiles = new HashSet<>();
            for (BackupManifest.FileEntry f : first.files()) firstFiles.add(f.sha256());
            long reused = second.files().stream().filter(f -> firstFiles.contains(f.sha256())).mapToLong(BackupManifest.FileEntry::length).sum();
            assertTrue(reused * 2 > first.sizeBytes(), "the second backup names the first one's segments (" + reused + " bytes)");

            RestoreJob again = restore(server, second.backupId(), "restored-again");
            assertEquals(RestoreJob.Status.Completed, again.status(), String.valueOf(again.failureReason()));
            assertEquals(answers(docs), answers(server.indexes().documents(PROJECT, "restored-again")));
            assertEquals("changed fox", server.indexes().documents(PROJECT, "restored-again").fetch("ns-0", List.of("doc-0"))
                    .result().get("doc-0").fields().get("title"));
        }
    }

    private static String n(int batch) {
        return "ns-" + batch % 2;
    }

    /** Waits until the only index under {@code indexes} has settled: its last commit holds one segment. */
    private static void awaitOneCommittedSegment(Path indexes) throws Exception {
        io.conifer.Await.until("the index settled to one committed segment", () -> {
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(indexes)) {
                Path commitDir = files.filter(f -> f.getFileName().toString().startsWith("segments_")).map(Path::getParent)
                        .findFirst().orElse(null);
                if (commitDir == null) return false;
                try (org.apache.lucene.store.Directory d = org.apache.lucene.store.FSDirectory.open(commitDir)) {
                    return org.apache.lucene.index.SegmentInfos.readLatestCommit(d).size() == 1;
                }
            } catch (java.io.IOException e) {
                return false; // a commit replaced while read: look again
            }
        });
    }

    /** Every search in both namespaces, as "id score" lines. */
    private static List<List<String>> answers(DocumentStore store) {
        List<List<String>> out = new ArrayList<>();
        for (String ns : List.of("ns-0", "ns-1")) {
            for (DocumentSearch s : SEARCHES) {
                List<String> hits = new ArrayList<>();
                for (ScoredDocument h : store.search(ns, s).result()) hits.add(h.document().id() + " " + h.score());
                assertEquals(10, hits.size(), "each search finds enough documents to compare");
                out.add(hits);
            }
        }
        return out;
    }

    private static BackupManifest backup(ConiferServer server, String name) throws Exception {
        String id = server.backups().create(PROJECT, "docs", name, null).backupId();
        for (int i = 0; i < 1200; i++) {
            BackupManifest m = server.backups().describe(PROJECT, id);
            if (m.status() != BackupStatus.Initializing) {
                assertEquals(BackupStatus.Ready, m.status(), m.failureReason());
                return m;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("backup " + name + " did not finish");
    }

    private static RestoreJob restore(ConiferServer server, String backupId, String name) throws Exception {
        String job = server.restores().create(PROJECT, backupId, name, null, null, null).restoreJobId();
        for (int i = 0; i < 1200; i++) {
            RestoreJob j = server.restores().describe(PROJECT, job);
            if (j.status() == RestoreJob.Status.Completed || j.status() == RestoreJob.Status.Failed) return j;
            Thread.sleep(50);
        }
        throw new AssertionError("restore into " + name + " did not finish");
    }
}
