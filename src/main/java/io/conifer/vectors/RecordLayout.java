package io.conifer.vectors;

import io.conifer.store.RecordFields;
import java.nio.ByteBuffer;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.util.BytesRef;

/**
 * The Lucene document layout of a vector record over the shared {@link RecordFields}. The dense vector
 * lives only in the vector field (read back off-heap through FloatVectorValues), the sparse vector in
 * binary doc values plus one term per non-zero dimension to find candidates, metadata as stored JSON
 * plus {@link MetadataFields}.
 */
public final class RecordLayout {
    public static final String VECTOR = "vec";
    static final String SPARSE = "_sp";
    static final String SPARSE_TERMS = "_spi";
    /**
     * Marks a dense index's record whose sparse values have {@link #SPARSE_TERMS}: records written before
     * dense indexes kept them have none, and a hybrid query scans those (until they are rewritten).
     */
    static final String SPARSE_TERMED = "_spt";

    private RecordLayout() {}

    static Document toDocument(String namespace, VectorRecord r, VectorSpace space) {
        return toDocument(namespace, r, space, space.indexing());
    }

    /** {@code indexing}: the metadata fields indexed for filtering in the record's namespace. */
    static Document toDocument(String namespace, VectorRecord r, VectorSpace space, MetadataIndexing indexing) {
        Document doc = RecordFields.identified(namespace, r.id());
        if (r.values() != null) {
            doc.add(new KnnFloatVectorField(VECTOR, r.values(), space.metric().similarity()));
        }
        if (r.sparse() != null) {
            // Dense indexes keep the terms too: a hybrid query looks for the best sparse matches beside the
            // dense ones, and without terms it would decode every record's sparse values to find them.
            addSparse(doc, SPARSE, SPARSE_TERMS, r.sparse());
            if (!space.isSparse()) doc.add(new StringField(SPARSE_TERMED, "1", Field.Store.NO));
        }
        if (r.metadata() != null && !r.metadata().isEmpty()) {
            doc.add(new StoredField(RecordFields.METADATA, Metadata.toJson(r.metadata())));
            MetadataFields.index(doc, r.metadata(), indexing);
        }
        return doc;
    }

    /**
     * A sparse vector as doc values in {@code valuesField} and, when {@code termsField} is not null, one
     * term per non-zero dimension there, which {@link SparseSearch} needs to find candidates.
     */
    public static void addSparse(Document doc, String valuesField, String termsField, SparseVector sparse) {
        doc.add(new BinaryDocValuesField(valuesField, encodeSparse(sparse)));
        if (termsField == null) return;
        for (int i : sparse.indices()) doc.add(new StringField(termsField, Integer.toUnsignedString(i), Field.Store.NO));
    }

    static BytesRef encodeSparse(SparseVector s) {
        int n = s.indices().length;
        ByteBuffer buf = ByteBuffer.allocate(4 + 8 * n);
        buf.putInt(n);
        for (int i : s.indices()) buf.putInt(i);
        for (float f : s.values()) buf.putFloat(f);
        return new BytesRef(buf.array());
    }

    public static SparseVector decodeSparse(BytesRef b) {
        ByteBuffer buf = ByteBuffer.wrap(b.bytes, b.offset, b.length);
        int n = buf.getInt();
        int[] idx = new int[n];
        float[] vals = new float[n];
        for (int i = 0; i < n; i++) idx[i] = buf.getInt();
        for (int i = 0; i < n; i++) vals[i] = buf.getFloat();
        return new SparseVector(idx, vals);
    }
}
