package io.conifer.bench;

import io.conifer.vectors.BenchAccess;
import java.io.IOException;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TopDocs;

/** The ids of a raw Lucene search's first hits, read from stored fields as the server reads them. */
final class TopIds {
    private TopIds() {}

    /** The vector indices (the server's record ids) of the first {@code topK} hits of {@code top}. */
    static int[] of(IndexSearcher searcher, TopDocs top, int topK) throws IOException {
        StoredFields stored = searcher.storedFields();
        int[] ids = new int[Math.min(topK, top.scoreDocs.length)];
        for (int i = 0; i < ids.length; i++) ids[i] = Integer.parseInt(stored.document(top.scoreDocs[i].doc).get(BenchAccess.ID_FIELD));
        return ids;
    }
}
