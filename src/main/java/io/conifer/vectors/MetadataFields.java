package io.conifer.vectors;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.Term;

/**
 * How metadata is indexed for filtering. Each kind of value gets its own Lucene field so that a
 * field holding a string in one record and a number in another filters correctly by kind:
 * strings (and list elements) as exact terms, numbers as double points, booleans as terms, and
 * every present key as a term of {@link #KEYS} for {@code $exists}.
 */
public final class MetadataFields {
    public static final String KEYS = "_mkeys";
    /**
     * Strings up to this many UTF-8 bytes are indexed as themselves; longer ones (metadata may hold one
     * of up to 40 KB, and Lucene refuses terms over 32766 bytes) by their SHA-256 in a field of their own,
     * so that {@code $eq}, {@code $in} and their negations match them exactly whatever their length.
     */
    static final int MAX_INDEXED_STRING_BYTES = 8 * 1024;

    private MetadataFields() {}

    public static String stringField(String key) {
        return "ms." + key;
    }

    /** The field of strings longer than {@link #MAX_INDEXED_STRING_BYTES}, by their SHA-256. */
    static String longStringField(String key) {
        return "msh." + key;
    }

    /** The term a string value of {@code key} is indexed as, and an equality filter looks for. */
    static Term stringTerm(String key, String s) {
        if (s.length() * 3 <= MAX_INDEXED_STRING_BYTES) return new Term(stringField(key), s);
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_INDEXED_STRING_BYTES) return new Term(stringField(key), s);
        try {
            return new Term(longStringField(key), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(utf8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String numberField(String key) {
        return "mn." + key;
    }

    public static String boolField(String key) {
        return "mb." + key;
    }

    /** Indexes the fields {@code indexing} takes (a document index: every one). */
    public static void index(Document doc, Map<String, Object> metadata, MetadataIndexing indexing) {
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            String key = e.getKey();
            if (!indexing.indexes(key)) continue;
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
        Term t = stringTerm(key, s);
        doc.add(new StringField(t.field(), t.bytes(), Field.Store.NO));
    }
}
