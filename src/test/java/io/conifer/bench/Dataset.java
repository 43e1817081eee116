package io.conifer.bench;

import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.lucene.index.VectorSimilarityFunction;

/**
 * Deterministic clustered vectors: {@code clusters} gaussian centroids (each coordinate N(0,1)); a
 * vector is a centroid plus N(0, spread^2) noise per coordinate. Queries are fresh points drawn the
 * same way (near a random centroid, not copies of indexed vectors). Every vector gets its own
 * seeded generator, so the data does not depend on the number of threads generating it.
 */
final class Dataset {
    final int dim;
    final float[][] vectors;
    final float[][] queries;
    final int k;
    /** truth[q] = indices of the k nearest vectors of query q under the index's similarity, best first. */
    int[][] truth;

    private Dataset(int dim, float[][] vectors, float[][] queries, int k) {
        this.dim = dim;
        this.vectors = vectors;
        this.queries = queries;
        this.k = k;
    }

    static Dataset generate(int n, int dim, int clusters, double spread, int queryCount, int k, long seed) {
        float[][] centroids = new float[clusters][];
        for (int c = 0; c < clusters; c++) {
            SplittableRandom r = new SplittableRandom(mix(seed, 1, c));
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) v[d] = (float) r.nextGaussian();
            centroids[c] = v;
        }
        float[][] vectors = new float[n][];
        IntStream.range(0, n).parallel().forEach(i -> vectors[i] = point(centroids, spread, new SplittableRandom(mix(seed, 2, i))));
        float[][] queries = new float[queryCount][];
        for (int q = 0; q < queryCount; q++) queries[q] = point(centroids, spread, new SplittableRandom(mix(seed, 3, q)));
        return new Dataset(dim, vectors, queries, k);
    }

    private static float[] point(float[][] centroids, double spread, SplittableRandom r) {
        float[] c = centroids[r.nextInt(centroids.length)];
        float[] v = new float[c.length];
        for (int d = 0; d < v.length; d++) v[d] = (float) (c[d] + spread * r.nextGaussian());
        return v;
    }

    private static long mix(long seed, long stream, long i) {
        long z = seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + i * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Exact top-k by brute force with Lucene's own similarity function (ties: lower index first). */
    void computeTruth(VectorSimilarityFunction similarity) {
        int[][] out = new int[queries.length][];
        IntStream.range(0, queries.length).parallel().forEach(q -> {
            float[] query = queries[q];
            int[] ids = new int[k];
            float[] scores = new float[k];
            int size = 0;
            for (int i = 0; i < vectors.length; i++) {
                float s = similarity.compare(query, vectors[i]);
                if (size == k && s <= scores[k - 1]) continue;
                int pos = size < k ? size++ : k - 1;
                while (pos > 0 && scores[pos - 1] < s) {
                    scores[pos] = scores[pos - 1];
                    ids[pos] = ids[pos - 1];
                    pos--;
                }
                scores[pos] = s;
                ids[pos] = i;
            }
            out[q] = ids;
        });
        truth = out;
    }

    /** How many of query {@code q}'s true top k are among the first k of {@code found} (vector indices). */
    int hits(int q, int[] found) {
        int hits = 0;
        for (int t : truth[q]) {
            for (int i = 0; i < Math.min(k, found.length); i++) {
                if (found[i] == t) {
                    hits++;
                    break;
                }
            }
        }
        return hits;
    }

    long bytes() {
        return (long) vectors.length * dim * Float.BYTES;
    }
}
