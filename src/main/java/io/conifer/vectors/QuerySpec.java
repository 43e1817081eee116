package io.conifer.vectors;

import java.util.Map;

/**
 * A query: exactly one of {@code vector}, {@code sparse} (either or both for hybrid on dotproduct
 * indexes) or {@code id} names what to search for.
 */
public record QuerySpec(
        String namespace,
        int topK,
        float[] vector,
        SparseVector sparse,
        String id,
        Map<String, Object> filter,
        boolean includeValues,
        boolean includeMetadata) {}
