package io.conifer.vectors;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;

/**
 * How metadata is indexed for filtering. Each kind of value gets its own Lucene field so that a
 * field holding a string in one record and a number in another filters correctly by kind:
 * strings (and list elements) as exact terms, numbers as double points, booleans as terms, and
 * every present key as a term of {@link #KEYS} for {@code $exists}.
 */
public final class MetadataFields {
    public static final String KEYS = "_mkeys";
    /** Lucene rejects terms above 32766 bytes; longer strings are stored but not filterable. */
    static final int MAX_INDEXED_STRING_BYTES = 8 * 1024;

    private MetadataFields() {}

    public static String stringField(String key) {
        return "ms." + key;
    }

    public static String numberField(String key) {
        return "mn." + key;
    }

    public static String boolField(String key) {
        return "mb." + key;
    }

    /** Indexes the fields {@code filterable} accepts (a document index: every one). */
    public static void index(Document doc, Map<String, Object> metadata, Predicate<String> filterable) {
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            String key = e.getKey();
            if (!filterable.test(key)) continue;
            doc.add(new StringField(KEYS, key, Field.Store.NO));
            Object v = e.getValue();
            if (v instanceof String s) {
                addString(doc, key, s);
            } else if (v instanceof Double d) {
                doc.add(new DoublePoint(numberField(key), d));
            } else if (v instanceof Boolean b) {
                doc.add(new StringField(boolField(key), b.toString(), Field.Store.NO));
            } else if (v instanceof List<?> list) {
                for (Object item : list) addString(doc, key, (String) item);
            }
        }
    }

    private static void addString(Document doc, String key, String s) {
        if (s.length() * 3 <= MAX_INDEXED_STRING_BYTES
                || s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_INDEXED_STRING_BYTES) {
            doc.add(new StringField(stringField(key), s, Field.Store.NO));
        }
    }
}
