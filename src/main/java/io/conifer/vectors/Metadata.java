package io.conifer.vectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conifer.error.ConiferException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.index.IndexWriter;

/**
 * Metadata as Pinecone defines it: a flat JSON object of strings, numbers (held as doubles), booleans
 * and lists of strings, at most 40 KB. Normalises every accepted value to one Java type per kind so
 * that storage, filters and responses agree.
 */
public final class Metadata {
    public static final int MAX_BYTES = 40 * 1024;
    /**
     * The longest key, in UTF-8 bytes: each key is indexed as one Lucene term (for {@code $exists}), and
     * Lucene refuses a longer term only while applying a write, after it is logged. Exactly Lucene's limit,
     * so that every key stored before this check passes it when an update carries it over.
     */
    public static final int MAX_KEY_BYTES = IndexWriter.MAX_TERM_LENGTH;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    private Metadata() {}

    /** Validates and normalises client metadata; throws INVALID_ARGUMENT naming the offending field. */
    public static Map<String, Object> normalise(Map<String, ?> raw, String recordId) {
        if (raw == null) return null;
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : raw.entrySet()) {
            checkKey(e.getKey(), recordId);
            out.put(e.getKey(), normaliseValue(e.getKey(), e.getValue(), recordId));
        }
        int size = toJson(out).length;
        if (size > MAX_BYTES) {
            throw ConiferException.invalid("Metadata size is " + size + " bytes, which exceeds the limit of "
                    + MAX_BYTES + " bytes per vector" + (recordId == null ? "" : " (id '" + recordId + "')"));
        }
        return out;
    }

    private static void checkKey(String key, String recordId) {
        if (key.length() * 3 <= MAX_KEY_BYTES) return;
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_KEY_BYTES) {
            throw ConiferException.invalid("Metadata key '" + key.substring(0, 40) + "...' is " + bytes
                    + " bytes; metadata keys may be at most " + MAX_KEY_BYTES + " bytes" + forRecord(recordId));
        }
    }

    private static Object normaliseValue(String key, Object v, String recordId) {
        if (v instanceof String || v instanceof Boolean) return v;
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw ConiferException.invalid("Metadata field '" + key + "' must be a finite number");
            }
            return d;
        }
        if (v instanceof List<?> list) {
            List<String> strings = new ArrayList<>(list.size());
            for (Object item : list) {
                if (!(item instanceof String s)) {
                    throw ConiferException.invalid("Metadata field '" + key
                            + "' is a list; lists may only contain strings" + forRecord(recordId));
                }
                strings.add(s);
            }
            return strings;
        }
        String kind = v == null ? "null" : v instanceof Map ? "an object" : v.getClass().getSimpleName();
        throw ConiferException.invalid("Metadata field '" + key + "' is " + kind
                + "; metadata values must be strings, numbers, booleans or lists of strings" + forRecord(recordId));
    }

    private static String forRecord(String id) {
        return id == null ? "" : " (id '" + id + "')";
    }

    /** Merges {@code set} into {@code base} (set wins), as Pinecone's update with setMetadata does. */
    public static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> set) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (base != null) out.putAll(base);
        out.putAll(set);
        return out;
    }

    public static byte[] toJson(Map<String, Object> metadata) {
        try {
            return JSON.writeValueAsBytes(metadata);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, Object> fromJson(byte[] bytes, int offset, int length) {
        try {
            return JSON.readValue(bytes, offset, length, MAP);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
