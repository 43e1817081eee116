package io.conifer.index;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.conifer.vectors.Metric;

/**
 * One named field of an index schema. Vector indexes hold their vectors in the reserved fields
 * {@code _values} / {@code _sparse_values}; other vector fields and full-text fields belong to
 * document indexes, which get their own field types here when they are served.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SchemaField.DenseVector.class, name = "dense_vector"),
    @JsonSubTypes.Type(value = SchemaField.SparseVector.class, name = "sparse_vector"),
    @JsonSubTypes.Type(value = SchemaField.FilterableMetadata.class, name = "filterable_metadata"),
    @JsonSubTypes.Type(value = SchemaField.FullTextString.class, name = "full_text_string")
})
public sealed interface SchemaField {
    /** A field with a type of its own (text, a vector): what a document must hold one of, besides metadata. */
    default boolean isTyped() {
        return this instanceof FullTextString || this instanceof DenseVector || this instanceof SparseVector;
    }

    /** Fixed-dimension vectors searched by HNSW. */
    record DenseVector(int dimension, Metric metric, String description) implements SchemaField {}

    /** Sparse vectors, scored by dot product. */
    record SparseVector(String description) implements SchemaField {}

    /** A metadata field of an index whose metadata schema limits filtering to the fields it names. */
    record FilterableMetadata() implements SchemaField {}

    /** A string field of a document index, analysed for full-text search as {@code fullTextSearch} says. */
    record FullTextString(String description, FullTextSearch fullTextSearch) implements SchemaField {}

    /** The spec's {@code full_text_search} options; {@code ngram} null when the field is split into words. */
    record FullTextSearch(String language, boolean stemming, boolean stopWords, Ngram ngram) {}

    record Ngram(int minGram, int maxGram, boolean prefixOnly) {}
}
