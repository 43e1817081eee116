package io.conifer.documents;

import io.conifer.vectors.SparseVector;
import org.apache.lucene.search.Query;

/**
 * A parsed, validated search: how to score, which documents may match ({@code filter} null for all,
 * already translated to Lucene, text-match operators included) and how many to return.
 */
public record DocumentSearch(ScoreBy scoreBy, Query filter, int topK) {
    public sealed interface ScoreBy {}

    /** Nearest neighbours in one dense vector field, scored by its metric. */
    public record Dense(String field, float[] vector) implements ScoreBy {}

    /** Exact dot product with one sparse vector field. */
    public record Sparse(String field, SparseVector vector) implements ScoreBy {}

    /** One or more {@code text} / {@code query_string} clauses as one Lucene query whose BM25 scores add up. */
    public record Lexical(Query query) implements ScoreBy {}
}
