package io.conifer.vectors;

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

    /** Loads records for global doc ids, visiting each segment's doc values in increasing doc order. */
    static Map<Integer, VectorRecord> load(IndexSearcher s, List<Integer> docs, boolean values, boolean metadata)
            throws IOException {
        List<Integer> sorted = new ArrayList<>(docs);
        sorted.sort(null);
        List<LeafReaderContext> leaves = s.getIndexReader().leaves();
        Map<Integer, VectorRecord> out = new HashMap<>();
        int leafIndex = -1;
        LeafReader reader = null;
        StoredFields stored = null;
        FloatVectorValues dense = null;
        KnnVectorValues.DocIndexIterator denseIt = null;
        BinaryDocValues sparse = null;
        int docBase = 0;
        for (int global : sorted) {
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
            if (metadata) {
                BytesRef m = d.getBinaryValue(RecordFields.METADATA);
                meta = m == null ? null : Metadata.fromJson(m.bytes, m.offset, m.length);
            }
            out.put(global, new VectorRecord(id, vec, sv, meta));
        }
        return out;
    }
}
