package io.conifer.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.conifer.Await;
import io.conifer.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.Terms;
import org.apache.lucene.search.ScoreDoc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A merged segment's namespace counts are made by the writer before the merge commits, so the first
 * full-text search of it does not wait for them; they are the counts a search would have made.
 */
class MergedSegmentCountsTest {
    /** Settles 100 ms after the last write: the store merges its segments into one. */
    private static final StoreOptions SETTLING = StoreOptions.defaults().withSettleDelayMillis(100);
    private static final List<String> TEXT_FIELDS = List.of("title", "body", "plain", "code", "prefix", "french");
    @TempDir
    Path dir;

    @Test
    void aMergedSegmentIsCountedBeforeItsFirstSearch() throws Exception {
        SegmentNamespaces.Cache counts = new SegmentNamespaces.Cache();
        try (DurableDocumentStore store = DurableDocumentStore.open(dir, NamespaceScoringTest.SCHEMA, SETTLING, counts)) {
            List<DocumentRecord> corpus = DocumentStoreRelevanceTest.documents();
            for (int k = 0; k < 3; k++) {
                store.upsert(NamespaceScoringTest.NS, corpus.subList(k * corpus.size() / 3, (k + 1) * corpus.size() / 3));
                store.upsert(NamespaceScoringTest.NEIGHBOUR, NamespaceScoringTest.neighbours(corpus, k, k + 1));
                store.checkpoint();
            }
            LeafReader merged = settle(store);
            assertEquals(4 * corpus.size(), merged.maxDoc());
            for (String field : TEXT_FIELDS) {
                assertTrue(counts.holds(merged, DocumentFields.text(field)), field + " counted before any search");
            }
            List<String> searches = NamespaceScoringTest.searches();
            store.engine().read(s -> {
                // The same searcher, once with the counts made ahead and once counting as it goes.
                DocumentSearches ahead = new DocumentSearches(NamespaceScoringTest.SCHEMA, 100, counts);
                DocumentSearches lazy = new DocumentSearches(NamespaceScoringTest.SCHEMA, 100, new SegmentNamespaces.Cache());
                for (String search : searches) {
                    for (String ns : List.of(NamespaceScoringTest.NS, NamespaceScoringTest.NEIGHBOUR)) {
                        assertSameHits(lazy.run(s, ns, NamespaceScoringTest.parse(search)),
                                ahead.run(s, ns, NamespaceScoringTest.parse(search)), ns + " " + search);
                    }
                }
                return null;
            });
        }
    }

    /** A segment of one namespace is searched as it is, without counts, so none are kept for it. */
    @Test
    void aMergedSegmentOfOneNamespaceIsNotCounted() throws Exception {
        SegmentNamespaces.Cache counts = new SegmentNamespaces.Cache();
        try (DurableDocumentStore store = DurableDocumentStore.open(dir, NamespaceScoringTest.SCHEMA, SETTLING, counts)) {
            List<DocumentRecord> corpus = DocumentStoreRelevanceTest.documents();
            for (int k = 0; k < 3; k++) {
                store.upsert(NamespaceScoringTest.NEIGHBOUR, NamespaceScoringTest.neighbours(corpus, k, k + 1));
                store.checkpoint();
            }
            LeafReader merged = settle(store);
            for (String field : TEXT_FIELDS) assertFalse(counts.holds(merged, DocumentFields.text(field)), field);
        }
    }

    /**
     * Lucene closes the writer when a merge fails, so counting must not throw out of the warmer: it logs,
     * and the first search counts instead, as before there was a warmer.
     */
    @Test
    void aFailedCountLeavesItToTheFirstSearch() throws Exception {
        SegmentNamespaces.Cache counts = new SegmentNamespaces.Cache();
        try (DurableDocumentStore store = DurableDocumentStore.open(dir, NamespaceScoringTest.SCHEMA,
                StoreOptions.defaults().withSettleDelayMillis(3_600_000), counts)) {
            List<DocumentRecord> corpus = DocumentStoreRelevanceTest.documents();
            store.upsert(NamespaceScoringTest.NS, corpus);
            store.upsert(NamespaceScoringTest.NEIGHBOUR, NamespaceScoringTest.neighbours(corpus, 0, 1));
            store.engine().read(s -> {
                LeafReader segment = s.getIndexReader().leaves().get(0).reader();
                IndexWriter.IndexReaderWarmer warmer = new MergedSegmentCounts(counts);
                warmer.warm(new UnreadableText(segment));
                assertFalse(counts.holds(segment, DocumentFields.text("body")));
                DocumentSearches searches = new DocumentSearches(NamespaceScoringTest.SCHEMA, 100, counts);
                String search = NamespaceScoringTest.text("[\"body\"]", "database vector");
                assertFalse(searches.run(s, NamespaceScoringTest.NS, NamespaceScoringTest.parse(search)).isEmpty());
                assertTrue(counts.holds(segment, DocumentFields.text("body")), "counted by the search");
                return null;
            });
        }
    }

    /** Waits until maintenance has merged the store into one segment, which it returns (its core stays open with the store). */
    private static LeafReader settle(DurableDocumentStore store) throws InterruptedException {
        Await.until("one merged segment", () -> {
            store.maintain(false);
            return store.engine().read(s -> s.getIndexReader().leaves().size()).result() == 1;
        });
        LeafReader merged = store.engine().read(s -> s.getIndexReader().leaves().get(0).reader()).result();
        assertEquals("merge", ((SegmentReader) merged).getSegmentInfo().info.getDiagnostics().get(IndexWriter.SOURCE));
        return merged;
    }

    private static void assertSameHits(List<ScoreDoc> expected, List<ScoreDoc> actual, String search) {
        assertEquals(expected.size(), actual.size(), search);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).doc, actual.get(i).doc, search);
            assertEquals(expected.get(i).score, actual.get(i).score, search);
        }
    }

    /** A segment whose full-text fields cannot be read, as a disk error would leave them. */
    private static final class UnreadableText extends FilterLeafReader {
        UnreadableText(LeafReader in) {
            super(in);
        }

        @Override
        public Terms terms(String field) throws IOException {
            if (DocumentFields.isText(field)) throw new IOException("unreadable " + field);
            return super.terms(field);
        }

        @Override
        public CacheHelper getCoreCacheHelper() {
            return in.getCoreCacheHelper();
        }

        @Override
        public CacheHelper getReaderCacheHelper() {
            return null;
        }
    }
}
