package io.conifer.api.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.documents.DocumentRecord;
import io.conifer.error.ConiferException;
import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import io.conifer.vectors.Limits;
import io.conifer.vectors.Metadata;
import io.conifer.vectors.SparseVector;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.standard.StandardTokenizer;

/**
 * Documents as JSON, read against the index schema and written back: a full-text field is a string
 * (at most 100 KB and 10,000 words), a dense vector field an array of its dimension, a sparse vector
 * field {@code {indices, values}}; any other field is metadata under the metadata rules (40 KB in all).
 */
final class DocumentsJson {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ID = "_id";
    static final String REMOVE_FIELDS = "_remove_fields";
    static final String SCORE = "_score";
    static final int MAX_TEXT_BYTES = 100 * 1024;
    static final int MAX_TEXT_TOKENS = 10_000;

    private DocumentsJson() {}

    /** A whole document to upsert: its {@code _id}, at least one schema field, typed values. */
    static DocumentRecord document(IndexSchema schema, JsonNode node, int position) {
        if (!(node instanceof ObjectNode doc)) {
            throw ConiferException.invalid("documents[" + position + "] must be an object with an '_id' and fields");
        }
        String id = id(doc.get(ID), "documents[" + position + "]._id");
        Map<String, Object> fields = fields(schema, doc, Set.of(ID), id);
        if (fields.keySet().stream().noneMatch(f -> isTyped(schema.fields().get(f)))) {
            throw ConiferException.invalid("Document '" + id + "' has no field of the index schema (" + String.join(", ",
                    typedFields(schema)) + "); a document needs at least one, besides its metadata");
        }
        return new DocumentRecord(id, fields);
    }

    /** The fields of {@code node} but those in {@code skip}, typed by the schema; metadata checked as a whole. */
    static Map<String, Object> fields(IndexSchema schema, ObjectNode node, Set<String> skip, String id) {
        Map<String, Object> typed = new LinkedHashMap<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (skip.contains(name)) continue;
            SchemaField field = schema.fields().get(name);
            if (isTyped(field)) {
                typed.put(name, value(field, name, e.getValue(), id));
            } else {
                if (name.startsWith("_") || name.startsWith("$") || name.isEmpty()) {
                    throw ConiferException.invalid("Field name '" + name + "' of document '" + id + "' is reserved: names"
                            + " starting with '_' or '$' (and the empty name) cannot be metadata");
                }
                metadata.put(name, JSON.convertValue(e.getValue(), Object.class));
            }
        }
        typed.putAll(Metadata.normalise(metadata, id));
        return typed;
    }

    /** Whether the schema types this field itself (a full-text or vector field) rather than as metadata. */
    static boolean isTyped(SchemaField field) {
        return field != null && field.isTyped();
    }

    private static List<String> typedFields(IndexSchema schema) {
        return schema.fields().entrySet().stream().filter(e -> isTyped(e.getValue())).map(Map.Entry::getKey).toList();
    }

    private static Object value(SchemaField field, String name, JsonNode v, String id) {
        String where = "field '" + name + "' of document '" + id + "'";
        return switch (field) {
            case SchemaField.FullTextString t -> text(v, where);
            case SchemaField.DenseVector d -> dense(v, d, where);
            case SchemaField.SparseVector s -> sparse(v, where);
            default -> throw new IllegalStateException("not a typed field: " + field);
        };
    }

    private static String text(JsonNode v, String where) {
        if (!v.isTextual()) throw ConiferException.invalid("The " + where + " is a full-text field: its value must be a string, not " + kind(v));
        String s = v.textValue();
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_TEXT_BYTES) {
            throw ConiferException.invalid("The " + where + " is " + bytes + " bytes; a full-text field value may be at most "
                    + MAX_TEXT_BYTES + " bytes (100 KB)");
        }
        // A word has at least one character: only a longer value can exceed the token limit.
        if (s.length() > MAX_TEXT_TOKENS) {
            int words = words(s);
            if (words > MAX_TEXT_TOKENS) {
                throw ConiferException.invalid("The " + where + " has " + words + " tokens; a full-text field value may have"
                        + " at most " + MAX_TEXT_TOKENS);
            }
        }
        return s;
    }

    /** Words as Lucene's standard tokenizer splits them (before any stop words, stemming or n-grams). */
    private static int words(String s) {
        try (StandardTokenizer tokens = new StandardTokenizer()) {
            tokens.setReader(new StringReader(s));
            tokens.reset();
            int n = 0;
            while (tokens.incrementToken()) n++;
            tokens.end();
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static float[] dense(JsonNode v, SchemaField.DenseVector field, String where) {
        float[] values = floats(v, where + " (a dense_vector field)");
        if (values.length != field.dimension()) {
            throw ConiferException.invalid("The " + where + " has " + values.length + " values; the field's dimension is "
                    + field.dimension());
        }
        for (float f : values) {
            if (!Float.isFinite(f)) throw ConiferException.invalid("The " + where + " must hold finite numbers");
        }
        DataRules.V2026_07.INSTANCE.dense(values, where);
        return values;
    }

    private static SparseVector sparse(JsonNode v, String where) {
        if (!(v instanceof ObjectNode o) || !o.has("indices") || !o.has("values")) {
            throw ConiferException.invalid("The " + where + " is a sparse_vector field: its value must be {\"indices\": [...],"
                    + " \"values\": [...]}, not " + kind(v));
        }
        JsonNode indices = o.get("indices");
        if (!indices.isArray()) throw ConiferException.invalid("The " + where + " has 'indices' that is not an array");
        int[] idx = new int[indices.size()];
        for (int i = 0; i < idx.length; i++) {
            JsonNode n = indices.get(i);
            if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > 0xFFFFFFFFL) {
                throw ConiferException.invalid("The " + where + " has an index " + n + "; indices are integers from 0 to 4294967295");
            }
            idx[i] = (int) n.asLong();
        }
        SparseVector s = Limits.sparse(new SparseVector(idx, floats(o.get("values"), where + " values")), where);
        if (s == null) throw ConiferException.invalid("The " + where + " is an empty sparse vector; it needs at least one value");
        return s;
    }

    static float[] floats(JsonNode v, String where) {
        if (v == null || !v.isArray()) throw ConiferException.invalid("The " + where + " must be an array of numbers, not " + kind(v));
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) throw ConiferException.invalid("The " + where + " must hold numbers only, not " + kind(v.get(i)));
            out[i] = v.get(i).floatValue();
        }
        return out;
    }

    /** A document id: a string of 1 to 512 ASCII characters, no NUL. */
    static String id(JsonNode v, String where) {
        if (v == null || !v.isTextual()) throw ConiferException.invalid(where + " must be a string document id, not " + kind(v));
        String id = v.textValue();
        if (id.isEmpty()) throw ConiferException.invalid(where + " is empty; a document id has 1 to " + Limits.MAX_ID_LENGTH + " characters");
        if (id.length() > Limits.MAX_ID_LENGTH) {
            throw ConiferException.invalid(where + " is " + id.length() + " characters; the maximum is " + Limits.MAX_ID_LENGTH);
        }
        ascii(id, where);
        return id;
    }

    static void ascii(String s, String where) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || c > 0x7F) throw ConiferException.invalid(where + " '" + s + "' must consist of ASCII characters (no NUL)");
        }
    }

    static String kind(JsonNode v) {
        if (v == null || v.isNull()) return "null";
        if (v.isTextual()) return "a string";
        if (v.isNumber()) return "a number";
        if (v.isBoolean()) return "a boolean";
        if (v.isArray()) return "an array";
        return "an object";
    }

    /**
     * Which fields a response shows besides {@code _id} (and {@code _score}): {@code all} for every field.
     * Fetch shows every field when {@code include_fields} is omitted or empty, search none; {@code ["*"]}
     * shows every field in both.
     */
    record Projection(boolean all, Set<String> fields) {
        static Projection forFetch(JsonNode includeFields) {
            Set<String> named = names(includeFields);
            return new Projection(named.isEmpty() || named.contains("*"), named);
        }

        static Projection forSearch(JsonNode includeFields) {
            Set<String> named = names(includeFields);
            return new Projection(named.contains("*"), named);
        }

        private static Set<String> names(JsonNode includeFields) {
            if (includeFields == null || includeFields.isNull()) return Set.of();
            if (!includeFields.isArray()) throw ConiferException.invalid("include_fields must be an array of field names");
            Set<String> out = new java.util.LinkedHashSet<>();
            for (JsonNode n : includeFields) {
                if (!n.isTextual()) throw ConiferException.invalid("include_fields must hold field names (strings), not " + kind(n));
                out.add(n.textValue());
            }
            return out;
        }

        boolean shows(String field) {
            return all || fields.contains(field);
        }

        boolean showsAny() {
            return all || !fields.isEmpty();
        }
    }

    /** {@code _id}, then the fields the projection shows, each in its JSON form. */
    static ObjectNode render(DocumentRecord d, Projection projection) {
        ObjectNode out = JSON.createObjectNode();
        out.put(ID, d.id());
        d.fields().forEach((name, value) -> {
            if (projection.shows(name)) out.set(name, value(value));
        });
        return out;
    }

    private static JsonNode value(Object v) {
        return switch (v) {
            case String s -> JSON.getNodeFactory().textNode(s);
            case Boolean b -> JSON.getNodeFactory().booleanNode(b);
            case Double d -> RestNumbers.isExactWhole(d)
                    ? JSON.getNodeFactory().numberNode(d.longValue()) : JSON.getNodeFactory().numberNode(d);
            case float[] f -> floatArray(f);
            case SparseVector s -> {
                ObjectNode o = JSON.createObjectNode();
                ArrayNode idx = o.putArray("indices");
                for (int i : s.indices()) idx.add(Integer.toUnsignedLong(i));
                o.set("values", floatArray(s.values()));
                yield o;
            }
            case List<?> list -> {
                ArrayNode a = JSON.createArrayNode();
                for (Object item : list) a.add(String.valueOf(item));
                yield a;
            }
            case Number n -> JSON.getNodeFactory().numberNode(n.doubleValue());
            default -> throw new IllegalStateException("unexpected field value " + v.getClass());
        };
    }

    private static ArrayNode floatArray(float[] f) {
        ArrayNode a = JSON.createArrayNode();
        for (float x : f) a.add(x);
        return a;
    }

    /** The list of strings at {@code field}, or an empty list when absent. */
    static List<String> strings(JsonNode parent, String field) {
        JsonNode v = parent.get(field);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) throw ConiferException.invalid(field + " must be an array of strings, not " + kind(v));
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode n : v) {
            if (!n.isTextual()) throw ConiferException.invalid(field + " must hold strings only, not " + kind(n));
            out.add(n.textValue());
        }
        return out;
    }
}
