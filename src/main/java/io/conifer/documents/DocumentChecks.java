package io.conifer.documents;

import io.conifer.error.ConiferException;
import io.conifer.index.IndexSchema;
import io.conifer.index.SchemaField;
import io.conifer.vectors.Limits;
import io.conifer.vectors.Metadata;
import io.conifer.vectors.SparseVector;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks a document against the index schema before anything is logged, and normalises it (sparse
 * vectors sorted by index, metadata values to one Java type per kind), so a rejected write changes
 * nothing and a stored document reads back as it is indexed.
 */
final class DocumentChecks {
    private final IndexSchema schema;

    DocumentChecks(IndexSchema schema) {
        this.schema = schema;
    }

    DocumentRecord document(DocumentRecord d) {
        Limits.id(d.id());
        String what = "document '" + d.id() + "'";
        Map<String, Object> fields = new LinkedHashMap<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        d.fields().forEach((name, value) -> {
            if (name.isEmpty() || name.startsWith("$")) throw ConiferException.invalid("Invalid field name '" + name + "' in " + what);
            switch (schema.fields().get(name)) {
                case SchemaField.FullTextString t -> {
                    if (!(value instanceof String)) throw wrongType(name, "a string", what);
                    fields.put(name, value);
                }
                case SchemaField.DenseVector v -> {
                    if (!(value instanceof float[] values)) throw wrongType(name, "a dense vector", what);
                    Limits.dense(values, new VectorSpace(VectorType.DENSE, v.dimension(), v.metric(), null),
                            "field '" + name + "' of " + what);
                    fields.put(name, values);
                }
                case SchemaField.SparseVector s -> {
                    if (!(value instanceof SparseVector sparse)) throw wrongType(name, "a sparse vector", what);
                    SparseVector sorted = Limits.sparse(sparse, "field '" + name + "' of " + what);
                    if (sorted != null) fields.put(name, sorted);
                }
                case null, default -> {
                    fields.put(name, null); // keeps the document's field order; the value is set below
                    metadata.put(name, value);
                }
            }
        });
        Map<String, Object> normalised = Metadata.normalise(metadata, d.id());
        normalised.forEach(fields::put);
        return new DocumentRecord(d.id(), fields);
    }

    /**
     * A document as an update left it: checked as {@link #document} does, and still holding a field of
     * the index schema, which an upsert must carry and an update may not take away.
     */
    DocumentRecord patched(DocumentRecord d) {
        DocumentRecord checked = document(d);
        if (checked.fields().keySet().stream().noneMatch(f -> schema.fields().get(f) instanceof SchemaField s && s.isTyped())) {
            throw ConiferException.invalid("The update would leave document '" + d.id() + "' with no field of the index schema"
                    + " (only metadata); a document needs at least one");
        }
        return checked;
    }

    private static ConiferException wrongType(String field, String type, String what) {
        return ConiferException.invalid("Field '" + field + "' of " + what + " must be " + type + ", as the index schema declares");
    }
}
