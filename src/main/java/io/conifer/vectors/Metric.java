package io.conifer.vectors;

import org.apache.lucene.index.VectorSimilarityFunction;

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

    /**
     * The score Pinecone defines for this metric, summed in double and rounded once to float: as close
     * to the true value as a float gets, whatever order a client's own library sums in. (Lucene's float
     * kernels also assert a finite result, which vectors near the float range do not give.)
     */
    public float exactScore(float[] query, float[] stored) {
        double sum = 0, qq = 0, ss = 0;
        for (int i = 0; i < query.length; i++) {
            double q = query[i], s = stored[i];
            switch (this) {
                case EUCLIDEAN -> sum += (q - s) * (q - s);
                case DOTPRODUCT -> sum += q * s;
                case COSINE -> {
                    sum += q * s;
                    qq += q * q;
                    ss += s * s;
                }
            }
        }
        return (float) (this == COSINE ? sum / Math.sqrt(qq * ss) : sum);
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
