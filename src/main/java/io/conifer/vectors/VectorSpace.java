package io.conifer.vectors;

import java.util.Set;

/**
 * What an index stores: its vector type, dimension (0 for sparse) and metric, plus the metadata
 * fields it indexes for filtering ({@code null} means every field, as Pinecone does without a schema).
 */
public record VectorSpace(VectorType type, int dimension, Metric metric, Set<String> filterableFields) {
    public boolean isSparse() {
        return type == VectorType.SPARSE;
    }

    /** The metadata fields the index schema has indexed (each namespace's schema may leave out more). */
    public MetadataIndexing indexing() {
        return MetadataIndexing.declared(filterableFields, "the index schema");
    }
}
