package io.conifer.store;

import java.io.IOException;
import java.util.List;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;

/**
 * The Lucene fields every record shape shares: its unique key, namespace and id (so listing, namespaces
 * and stats read every shape alike), stored metadata JSON, and the markers of explicitly created
 * namespaces.
 */
public final class RecordFields {
    public static final String KEY = "_key";
    public static final String NAMESPACE = "_ns";
    public static final String ID = "_id";
    public static final String METADATA = "_meta";
    /** On a marker document (no record fields) that keeps an explicitly created namespace alive while empty. */
    public static final String DECLARED_NAMESPACE = "_nsdecl";
    /** On a namespace marker: each metadata field the namespace's schema declares filterable. */
    public static final String NAMESPACE_SCHEMA = "_nsschema";
    private static final char SEPARATOR = '\u0000';

    private RecordFields() {}

    /** The unique term of a record: namespace and id, so ids sort bitwise within a namespace. */
    public static String key(String namespace, String id) {
        return namespace + SEPARATOR + id;
    }

    public static String keyPrefix(String namespace) {
        return namespace + SEPARATOR;
    }

    public static Term keyTerm(String namespace, String id) {
        return new Term(KEY, key(namespace, id));
    }

    public static Term[] keyTerms(String namespace, List<String> ids) {
        Term[] terms = new Term[ids.size()];
        for (int i = 0; i < terms.length; i++) terms[i] = keyTerm(namespace, ids.get(i));
        return terms;
    }

    /** The key, namespace and id fields of a new record document. */
    public static Document identified(String namespace, String id) {
        Document doc = new Document();
        doc.add(new StringField(KEY, key(namespace, id), Field.Store.NO));
        doc.add(new StringField(NAMESPACE, namespace, Field.Store.NO));
        doc.add(new StoredField(ID, id));
        return doc;
    }

    /**
     * Makes {@code namespace} exist while it holds no records (create_namespace): a marker document with
     * the fields its metadata schema declares filterable (null: no schema).
     */
    public static void declareNamespace(IndexWriter writer, String namespace, List<String> filterableFields) throws IOException {
        writer.updateDocument(new Term(DECLARED_NAMESPACE, namespace), namespaceMarker(namespace, filterableFields));
    }

    /** Deletes every record of {@code namespace} and its marker, if it was created explicitly. */
    public static void deleteNamespace(IndexWriter writer, String namespace) throws IOException {
        writer.deleteDocuments(new Term(NAMESPACE, namespace), new Term(DECLARED_NAMESPACE, namespace));
    }

    private static Document namespaceMarker(String namespace, List<String> filterableFields) {
        Document doc = new Document();
        doc.add(new StringField(DECLARED_NAMESPACE, namespace, Field.Store.NO));
        if (filterableFields != null) {
            for (String f : filterableFields) doc.add(new StoredField(NAMESPACE_SCHEMA, f));
        }
        return doc;
    }
}
