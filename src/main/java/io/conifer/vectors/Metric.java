package io.conifer.vectors;

import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.VectorUtil;

/**
 * A Pinecone similarity metric, and how to turn Lucene's normalised score back into the score
 * Pinecone defines (cosine similarity, dot product, squared euclidean distance).
 */
public enum Metric {
    COSINE("cosine", VectorSimilarityFunction.COSINE),
    EUCLIDEAN("euclidean", VectorSimilarityFunction.EUCLIDEAN),
    DOTPRODUCT("dotproduct", VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT);

    private final String apiName;
    private final VectorSimilarityFunction similarity;

    Metric(String apiName, VectorSimilarityFunction similarity) {
        this.apiName = apiName;
        this.similarity = similarity;
    }

    public String apiName() {
        return apiName;
    }

    public VectorSimilarityFunction similarity() {
        return similarity;
    }

    public static Metric fromApi(String name) {
        for (Metric m : values()) {
            if (m.apiName.equals(name)) return m;
        }
        return null;
    }

    /** The score Pinecone defines for this metric, computed from the two vectors in float as Lucene does. */
    public float exactScore(float[] query, float[] stored) {
        return switch (this) {
            case COSINE -> VectorUtil.cosine(query, stored);
            case EUCLIDEAN -> VectorUtil.squareDistance(query, stored);
            case DOTPRODUCT -> VectorUtil.dotProduct(query, stored);
        };
    }

    /** Inverts Lucene's score transform for this metric; see VectorSimilarityFunction. */
    public float pineconeScore(float luceneScore) {
        return switch (this) {
            case COSINE -> 2f * luceneScore - 1f;
            case EUCLIDEAN -> 1f / luceneScore - 1f;
            case DOTPRODUCT -> luceneScore >= 1f ? luceneScore - 1f : 1f - 1f / luceneScore;
        };
    }
}
