package io.conifer.documents;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import io.conifer.vectors.SparseVector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A document's fields as JSON, the form stored in {@link DocumentFields#SOURCE} and logged: dense
 * vectors as arrays, sparse vectors as {@code {"indices","values"}} (indices unsigned), metadata as is.
 * Reading types each field by the schema again, so a document reads back exactly as it was written.
 */
final class DocumentJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

    private final IndexSchema schema;

    DocumentJson(IndexSchema schema) {
        this.schema = schema;
    }

    byte[] write(Map<String, Object> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        fields.forEach((name, value) -> out.put(name, value instanceof SparseVector s ? sparse(s) : value));
        try {
            return JSON.writeValueAsBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Map<String, Object> read(byte[] bytes, int offset, int length) {
        Map<String, Object> raw;
        try {
            raw = JSON.readValue(bytes, offset, length, MAP);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        raw.forEach((name, value) -> out.put(name, switch (schema.fields().get(name)) {
            case SchemaField.DenseVector d -> floats((List<?>) value);
            case SchemaField.SparseVector s -> sparse((Map<?, ?>) value);
            case null, default -> metadataValue(value);
        }));
        return out;
    }

    private static Map<String, Object> sparse(SparseVector s) {
        long[] indices = new long[s.indices().length];
        for (int i = 0; i < indices.length; i++) indices[i] = Integer.toUnsignedLong(s.indices()[i]);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("indices", indices);
        out.put("values", s.values());
        return out;
    }

    private static SparseVector sparse(Map<?, ?> json) {
        List<?> indices = (List<?>) json.get("indices");
        int[] idx = new int[indices.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = (int) ((Number) indices.get(i)).longValue();
        return new SparseVector(idx, floats((List<?>) json.get("values")));
    }

    private static float[] floats(List<?> json) {
        float[] out = new float[json.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) json.get(i)).floatValue();
        return out;
    }

    /** Metadata numbers are doubles everywhere (see {@link io.conifer.vectors.Metadata}); JSON reads whole ones as ints. */
    private static Object metadataValue(Object value) {
        return value instanceof Number n && !(value instanceof Double) ? n.doubleValue() : value;
    }
}
