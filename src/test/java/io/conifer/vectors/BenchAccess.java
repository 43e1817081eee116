package io.conifer.vectors;

import io.conifer.store.ConiferCodec;
import io.conifer.store.RecordFields;
import org.apache.lucene.codecs.Codec;

/** Lets the benchmark build its raw-Lucene baseline with exactly the server's codec and layout. */
public final class BenchAccess {
    private BenchAccess() {}

    public static Codec codec() {
        return new ConiferCodec();
    }

    /** The Lucene field names of the server's document layout. */
    public static final String VECTOR_FIELD = RecordLayout.VECTOR;
    public static final String ID_FIELD = RecordFields.ID;
}
