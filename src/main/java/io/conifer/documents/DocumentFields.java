package io.conifer.documents;

/**
 * Lucene field names of a document's schema fields. Key, namespace and id use the same fields as a
 * vector record, and metadata the same {@code MetadataFields}, so listing, namespaces and filters are
 * shared by both record shapes.
 */
public final class DocumentFields {
    /** The whole document as stored JSON, returned by fetch and search. */
    public static final String SOURCE = "_doc";

    private static final String TEXT = "dt.";

    private DocumentFields() {}

    /** A full-text field, analysed by {@link TextAnalyzers}. */
    public static String text(String field) {
        return TEXT + field;
    }

    /** Whether a Lucene field is a full-text field's. */
    static boolean isText(String luceneField) {
        return luceneField.startsWith(TEXT);
    }

    public static String dense(String field) {
        return "dd." + field;
    }

    /** A sparse vector field's values (binary doc values). */
    public static String sparse(String field) {
        return "dsv." + field;
    }

    /** One term per non-zero dimension of a sparse vector field, to find candidates. */
    public static String sparseTerms(String field) {
        return "dsi." + field;
    }
}
