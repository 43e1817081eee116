package io.conifer.vectors;

import io.conifer.store.ConiferCodec;
import io.conifer.store.RecordFields;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.Term;

/** Lets the benchmark build its raw-Lucene baseline with exactly the server's codec and layout. */
public final class BenchAccess {
    private BenchAccess() {}

    public static Codec codec() {
        return new ConiferCodec();
    }

    /** The server's document of a dense record in the default namespace, fields and all. */
    public static Document document(String id, float[] values, VectorSpace space) {
        return RecordLayout.toDocument("", new VectorRecord(id, values, null, null), space);
    }

    /** The term an upsert of {@code id} in the default namespace replaces the record by, as the server's. */
    public static Term idTerm(String id) {
        return RecordFields.keyTerm("", id);
    }

    /** The Lucene field names of the server's document layout. */
    public static final String VECTOR_FIELD = RecordLayout.VECTOR;
    public static final String ID_FIELD = RecordFields.ID;
}
