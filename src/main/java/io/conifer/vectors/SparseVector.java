package io.conifer.vectors;

import java.util.Arrays;

/** A sparse vector with indices in strictly increasing order (normalised on construction by callers). */
public record SparseVector(int[] indices, float[] values) {
    public float dot(SparseVector other) {
        int i = 0, j = 0;
        float sum = 0f;
        while (i < indices.length && j < other.indices.length) {
            int a = indices[i], b = other.indices[j];
            if (a == b) {
                sum += values[i++] * other.values[j++];
            } else if (Integer.compareUnsigned(a, b) < 0) {
                i++;
            } else {
                j++;
            }
        }
        return sum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseVector s && Arrays.equals(indices, s.indices) && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(indices) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "SparseVector" + Arrays.toString(indices) + "=" + Arrays.toString(values);
    }
}
