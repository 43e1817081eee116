package io.conifer.vectors;

import io.conifer.error.ConiferException;
import io.conifer.store.RecordFields;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.BytesRef;

/** Reads vector records back from their Lucene documents. */
final class StoredRecords {
    private StoredRecords() {}

    /**
     * The most a query's matches may hold (ids, values, sparse values, metadata), as Pinecone's 4 MB
     * query result limit: without it one request for 10,000 matches with values of 20,000 dimensions
     * would build ~800 MB on the heap before its answer is refused by any transport.
     */
    static final long MAX_RESULT_BYTES = 4L << 20;

    /** Loads records for global doc ids, visiting each segment's doc values in increasing doc order. */
    static Map<Integer, VectorRecord> load(IndexSearcher s, List<Integer> docs, boolean values, boolean metadata)
            throws IOException {
        return load(s, docs, values, metadata, Long.MAX_VALUE);
    }

    /** Like {@link #load}, for a query's matches: refused (400) once they would pass {@link #MAX_RESULT_BYTES}. */
    static Map<Integer, VectorRecord> loadMatches(IndexSearcher s, List<Integer> docs, boolean values, boolean metadata)
            throws IOException {
        return load(s, docs, values, metadata, MAX_RESULT_BYTES);
    }

    private static Map<Integer, VectorRecord> load(IndexSearcher s, List<Integer> docs, boolean values, boolean metadata,
            long maxBytes) throws IOException {
        List<Integer> sorted = new ArrayList<>(docs);
        sorted.sort(null);
        Map<Integer, VectorRecord> out = new HashMap<>();
        long[] bytes = {0};
        visit(s, sorted, values, metadata, (doc, record, size) -> {
            bytes[0] += size;
            if (bytes[0] > maxBytes) {
                throw ConiferException.invalid("The query's " + docs.size() + " matches hold more than the 4 MB a query result may"
                        + " hold; ask for a lower topK, or leave out includeValues or includeMetadata");
            }
            out.put(doc, record);
            return true;
        });
        return out;
    }

    /** Receives records one at a time; returns whether to read on. */
    @FunctionalInterface
    interface Visitor {
        /** {@code bytes}: about what the record holds (id, values, sparse values, metadata as stored). */
        boolean visit(int doc, VectorRecord record, long bytes) throws IOException;
    }

    /**
     * Reads the records of global doc ids in increasing order, visiting each segment's doc values in
     * doc order, and hands each to {@code visitor} until it says stop: a caller that needs one record at
     * a time never holds the rest.
     */
    static void visit(IndexSearcher s, List<Integer> sortedDocs, boolean values, boolean metadata, Visitor visitor)
            throws IOException {
        List<LeafReaderContext> leaves = s.getIndexReader().leaves();
        int leafIndex = -1;
        LeafReader reader = null;
        StoredFields stored = null;
        FloatVectorValues dense = null;
        KnnVectorValues.DocIndexIterator denseIt = null;
        BinaryDocValues sparse = null;
        int docBase = 0;
        for (int global : sortedDocs) {
            int li = ReaderUtil.subIndex(global, leaves);
            if (li != leafIndex) {
                leafIndex = li;
                LeafReaderContext ctx = leaves.get(li);
                reader = ctx.reader();
                docBase = ctx.docBase;
                stored = reader.storedFields();
                dense = values ? reader.getFloatVectorValues(RecordLayout.VECTOR) : null;
                denseIt = dense == null ? null : dense.iterator();
                sparse = values ? reader.getBinaryDocValues(RecordLayout.SPARSE) : null;
            }
            int doc = global - docBase;
            Document d = stored.document(doc);
            String id = d.get(RecordFields.ID);
            float[] vec = null;
            if (denseIt != null) {
                int at = denseIt.docID() < doc ? denseIt.advance(doc) : denseIt.docID();
                if (at == doc) vec = dense.vectorValue(denseIt.index()).clone();
            }
            SparseVector sv = null;
            if (sparse != null && sparse.advanceExact(doc)) sv = RecordLayout.decodeSparse(sparse.binaryValue());
            Map<String, Object> meta = null;
            long bytes = id.length() + (vec == null ? 0 : 4L * vec.length) + (sv == null ? 0 : 8L * sv.indices().length);
            if (metadata) {
                BytesRef m = d.getBinaryValue(RecordFields.METADATA);
                meta = m == null ? null : Metadata.fromJson(m.bytes, m.offset, m.length);
                bytes += m == null ? 0 : m.length;
            }
            if (!visitor.visit(global, new VectorRecord(id, vec, sv, meta), bytes)) return;
        }
    }
}
