package io.conifer.index;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.conifer.vectors.Metric;
import io.conifer.vectors.VectorSpace;
import io.conifer.vectors.VectorType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The typed fields of an index, by name. A schema made of the reserved vector fields (and, from the
 * older APIs' metadata schema, filterable metadata fields) is a classic vector index, served by the
 * vectors API; the same index that {@code dimension}/{@code metric}/{@code vector_type} create.
 */
public record IndexSchema(Map<String, SchemaField> fields) {
    public static final String DENSE_VALUES = "_values";
    public static final String SPARSE_VALUES = "_sparse_values";

    public IndexSchema {
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The schema of a vector index as the older APIs describe it; {@code filterable} null means every field. */
    public static IndexSchema vectors(VectorType type, int dimension, Metric metric, Set<String> filterable) {
        Map<String, SchemaField> fields = new LinkedHashMap<>();
        if (type == VectorType.DENSE) fields.put(DENSE_VALUES, new SchemaField.DenseVector(dimension, metric, null));
        else fields.put(SPARSE_VALUES, new SchemaField.SparseVector(null));
        if (filterable != null) for (String f : new TreeSet<>(filterable)) fields.put(f, new SchemaField.FilterableMetadata());
        return new IndexSchema(fields);
    }

    /** True when every vector field is a reserved one, i.e. the vectors API serves the index. */
    @JsonIgnore
    public boolean isVectorIndex() {
        boolean anyVector = false;
        for (Map.Entry<String, SchemaField> e : fields.entrySet()) {
            if (e.getValue() instanceof SchemaField.FilterableMetadata) continue;
            if (!e.getKey().equals(DENSE_VALUES) && !e.getKey().equals(SPARSE_VALUES)) return false;
            anyVector = true;
        }
        return anyVector;
    }

    public SchemaField.DenseVector denseValues() {
        return fields.get(DENSE_VALUES) instanceof SchemaField.DenseVector d ? d : null;
    }

    public VectorType vectorType() {
        return denseValues() != null ? VectorType.DENSE : VectorType.SPARSE;
    }

    public int dimension() {
        SchemaField.DenseVector d = denseValues();
        return d == null ? 0 : d.dimension();
    }

    /** Sparse vector indexes score by dot product, the only metric Pinecone allows them. */
    public Metric metric() {
        SchemaField.DenseVector d = denseValues();
        return d == null ? Metric.DOTPRODUCT : d.metric();
    }

    /** The metadata fields filters may use, or null when every field may be used. */
    public Set<String> filterableFields() {
        Set<String> out = new TreeSet<>();
        fields.forEach((name, f) -> {
            if (f instanceof SchemaField.FilterableMetadata) out.add(name);
        });
        return out.isEmpty() ? null : out;
    }

    public VectorSpace vectorSpace() {
        return new VectorSpace(vectorType(), dimension(), metric(), filterableFields());
    }
}
