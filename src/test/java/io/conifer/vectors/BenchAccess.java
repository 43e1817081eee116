package io.conifer.vectors;

import org.apache.lucene.codecs.Codec;

/** Lets the benchmark build its raw-Lucene baseline with exactly the server's codec (package-private). */
public final class BenchAccess {
    private BenchAccess() {}

    public static Codec codec() {
        return new ConiferCodec();
    }

    /** The Lucene field names of the server's document layout. */
    public static final String VECTOR_FIELD = Documents.VECTOR;
    public static final String ID_FIELD = Documents.ID;
}
