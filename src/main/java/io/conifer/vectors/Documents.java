package io.conifer.vectors;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.Term;
import org.apache.lucene.util.BytesRef;

/**
 * The Lucene document layout of a record. The dense vector lives only in the vector field (read back
 * off-heap through FloatVectorValues), the sparse vector in binary doc values plus one term per
 * non-zero dimension to find candidates, metadata as stored JSON plus {@link MetadataFields}.
 */
final class Documents {
    static final String KEY = "_key";
    static final String NAMESPACE = "_ns";
    static final String ID = "_id";
    static final String METADATA = "_meta";
    static final String VECTOR = "vec";
    static final String SPARSE = "_sp";
    static final String SPARSE_TERMS = "_spi";
    /** On a marker document (no record fields) that keeps an explicitly created namespace alive while empty. */
    static final String DECLARED_NAMESPACE = "_nsdecl";
    /** On a namespace marker: each metadata field the namespace's schema declares filterable. */
    static final String NAMESPACE_SCHEMA = "_nsschema";
    private static final char SEPARATOR = '\u0000';

    private Documents() {}

    /** The unique term of a record: namespace and id, so ids sort bitwise within a namespace. */
    static String key(String namespace, String id) {
        return namespace + SEPARATOR + id;
    }

    static String keyPrefix(String namespace) {
        return namespace + SEPARATOR;
    }

    static Term keyTerm(String namespace, String id) {
        return new Term(KEY, key(namespace, id));
    }

    static Document toDocument(String namespace, VectorRecord r, VectorSpace space) {
        Document doc = new Document();
        doc.add(new StringField(KEY, key(namespace, r.id()), Field.Store.NO));
        doc.add(new StringField(NAMESPACE, namespace, Field.Store.NO));
        doc.add(new StoredField(ID, r.id()));
        if (r.values() != null) {
            doc.add(new KnnFloatVectorField(VECTOR, r.values(), space.metric().similarity()));
        }
        if (r.sparse() != null) {
            doc.add(new BinaryDocValuesField(SPARSE, encodeSparse(r.sparse())));
            if (space.isSparse()) {
                for (int i : r.sparse().indices()) {
                    doc.add(new StringField(SPARSE_TERMS, Integer.toUnsignedString(i), Field.Store.NO));
                }
            }
        }
        if (r.metadata() != null && !r.metadata().isEmpty()) {
            doc.add(new StoredField(METADATA, Metadata.toJson(r.metadata())));
            MetadataFields.index(doc, r.metadata(), space);
        }
        return doc;
    }

    static Document namespaceMarker(String namespace, List<String> filterableFields) {
        Document doc = new Document();
        doc.add(new StringField(DECLARED_NAMESPACE, namespace, Field.Store.NO));
        if (filterableFields != null) {
            for (String f : filterableFields) doc.add(new StoredField(NAMESPACE_SCHEMA, f));
        }
        return doc;
    }

    static BytesRef encodeSparse(SparseVector s) {
        int n = s.indices().length;
        ByteBuffer buf = ByteBuffer.allocate(4 + 8 * n);
        buf.putInt(n);
        for (int i : s.indices()) buf.putInt(i);
        for (float f : s.values()) buf.putFloat(f);
        return new BytesRef(buf.array());
    }

    static SparseVector decodeSparse(BytesRef b) {
        ByteBuffer buf = ByteBuffer.wrap(b.bytes, b.offset, b.length);
        int n = buf.getInt();
        int[] idx = new int[n];
        float[] vals = new float[n];
        for (int i = 0; i < n; i++) idx[i] = buf.getInt();
        for (int i = 0; i < n; i++) vals[i] = buf.getFloat();
        return new SparseVector(idx, vals);
    }
}
